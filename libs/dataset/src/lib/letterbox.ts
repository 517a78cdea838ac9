import { roundHalfEven, type ImageU8, type LabeledImage } from '@vigil/core';
import { resizeBilinear } from './resize-bilinear.js';


/** Options of {@link letterbox}, as the original's `letterbox(img, new_shape, color, auto, scaleFill, scaleup, stride)`. */
export interface LetterboxOptions {
  /** Border grey level (default 114). */
  color?: number;
  /** Minimum rectangle: pad only up to a multiple of `stride` (default true, as the original). */
  auto?: boolean;
  /** Stretch to `newShape` without padding (default false). */
  scaleFill?: boolean;
  /** Allow enlarging (default true); false = only shrink (the original's val/test). */
  scaleup?: boolean;
  stride?: number;
}

/** Geometry of a letterbox: scale, resized size, padding (`dw`, `dh` per side, as floats) and integer borders. */
export interface LetterboxGeometry {
  /** Width and height scale. */
  ratio: [number, number];
  /** Resized size before padding. */
  newUnpadW: number;
  newUnpadH: number;
  /** Padding per side as the original returns it (may end in .5). */
  dw: number;
  dh: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * The original's `letterbox` arithmetic (utils/datasets.py) for an image of `height × width` and a target
 * `newShape` (`[height, width]` or a square size): r = min(new/old) (≤ 1 unless scaleup), new_unpad = round(w·r),
 * round(h·r) (Python rounding), padding halves top = round(dh − 0.1), bottom = round(dh + 0.1) (same for x).
 */
export function letterboxGeometry(
  height: number,
  width: number,
  newShape: number | [number, number],
  options: LetterboxOptions = {},
): LetterboxGeometry {
  const { auto = true, scaleFill = false, scaleup = true, stride = 32 } = options;
  const [nh, nw] = typeof newShape === 'number' ? [newShape, newShape] : newShape;
  let r = Math.min(nh / height, nw / width);
  if (!scaleup) r = Math.min(r, 1);
  let ratio: [number, number] = [r, r];
  let uw = roundHalfEven(width * r);
  let uh = roundHalfEven(height * r);
  let dw = nw - uw;
  let dh = nh - uh;
  if (auto) {
    dw = ((dw % stride) + stride) % stride;
    dh = ((dh % stride) + stride) % stride;
  } else if (scaleFill) {
    dw = 0;
    dh = 0;
    uw = nw;
    uh = nh;
    ratio = [nw / width, nh / height];
  }
  dw /= 2;
  dh /= 2;
  return {
    ratio,
    newUnpadW: uw,
    newUnpadH: uh,
    dw,
    dh,
    top: roundHalfEven(dh - 0.1),
    bottom: roundHalfEven(dh + 0.1),
    left: roundHalfEven(dw - 0.1),
    right: roundHalfEven(dw + 0.1),
  };
}

/** Copies `src` into a new `width × height` image filled with `color`, its top-left corner at (`left`, `top`). */
export function padImage(src: ImageU8, width: number, height: number, left: number, top: number, color = 114): ImageU8 {
  const ch = src.channels;
  const data = new Uint8Array(width * height * ch);
  const rowBytes = src.width * ch;
  const outRow = width * ch;
  // Fill only the borders: top and bottom bands, then left/right margins of each copied row.
  if (color !== 0) {
    data.fill(color, 0, top * outRow);
    data.fill(color, (top + src.height) * outRow);
  }
  for (let y = 0; y < src.height; y++) {
    const o = (y + top) * outRow;
    if (color !== 0) {
      data.fill(color, o, o + left * ch);
      data.fill(color, o + (left + src.width) * ch, o + outRow);
    }
    data.set(src.data.subarray(y * rowBytes, (y + 1) * rowBytes), o + left * ch);
  }
  return { data, width, height, channels: ch };
}

/** Result of {@link letterbox}: the padded image, the scale and the padding (as the original returns them). */
export interface LetterboxResult {
  image: ImageU8;
  ratio: [number, number];
  /** `[dw, dh]`: padding per side (float; the original maps labels with these, not with the integer borders). */
  pad: [number, number];
}

/**
 * Resizes (bilinear, when the size changes) and pads an image like the original's `letterbox`; pure, the input is
 * not modified. Output size = resized size + borders; with `auto` it is the smallest stride multiple.
 */
export function letterbox(image: ImageU8, newShape: number | [number, number], options: LetterboxOptions = {}): LetterboxResult {
  const g = letterboxGeometry(image.height, image.width, newShape, options);
  const resized =
    g.newUnpadW !== image.width || g.newUnpadH !== image.height ? resizeBilinear(image, g.newUnpadW, g.newUnpadH) : image;
  const out = padImage(resized, g.newUnpadW + g.left + g.right, g.newUnpadH + g.top + g.bottom, g.left, g.top, options.color ?? 114);
  return { image: out, ratio: g.ratio, pad: [g.dw, g.dh] };
}

/**
 * Letterboxes a labelled image: labels (`[n,5]` cls, x1, y1, x2, y2 in pixels of the input) are mapped as the
 * original does (normalised xywh → pixels with `ratio·size` and the float padding `dw`, `dh`): x' = x·r + dw.
 */
export function letterboxSample(
  sample: LabeledImage,
  newShape: number | [number, number],
  options: LetterboxOptions = {},
): LabeledImage & { ratio: [number, number]; pad: [number, number] } {
  const res = letterbox(sample.image, newShape, options);
  const labels = new Float32Array(sample.labels.length);
  const [rw, rh] = res.ratio;
  const [dw, dh] = res.pad;
  for (let k = 0; k < labels.length; k += 5) {
    labels[k] = sample.labels[k]!;
    labels[k + 1] = sample.labels[k + 1]! * rw + dw;
    labels[k + 2] = sample.labels[k + 2]! * rh + dh;
    labels[k + 3] = sample.labels[k + 3]! * rw + dw;
    labels[k + 4] = sample.labels[k + 4]! * rh + dh;
  }
  return { image: res.image, labels, ratio: res.ratio, pad: res.pad };
}
