import type { LabeledImage } from '@vigil/core';

/** A batch ready for the model: images `[B,H,W,3]` float32 0–1 NHWC, targets `[n,6]` float32. */
export interface BatchData {
  images: Float32Array;
  /** `[B, H, W, 3]`. */
  shape: [number, number, number, number];
  /** `[n, 6]` row-major: image index in the batch, class, cx, cy, w, h normalised to the batch's W, H. */
  targets: Float32Array;
  numTargets: number;
}

/**
 * Stacks same-sized samples into a batch (the original's collate_fn after `__getitem__`): pixels /255 to float32
 * (grayscale replicated to 3 channels), boxes (pixels xyxy) → normalised cxcywh with the image index in column 0.
 * `into`: an array of exactly `[B,H,W,3]` elements to fill instead of allocating one (every element is written).
 */
export function collateBatch(samples: readonly LabeledImage[], into?: Float32Array): BatchData {
  if (samples.length === 0) throw new RangeError('collateBatch needs at least one sample');
  const { width: W, height: H } = samples[0]!.image;
  const plane = W * H * 3;
  if (into && into.length !== samples.length * plane) throw new RangeError(`collateBatch: 'into' has ${into.length} elements, the batch needs ${samples.length * plane}`);
  const images = into ?? new Float32Array(samples.length * plane);
  let numTargets = 0;
  for (const s of samples) numTargets += s.labels.length / 5;
  const targets = new Float32Array(numTargets * 6);
  let t = 0;
  samples.forEach((s, b) => {
    const img = s.image;
    if (img.width !== W || img.height !== H) {
      throw new RangeError(`sample ${b} is ${img.width}×${img.height}, the batch is ${W}×${H}: letterbox to one shape first`);
    }
    if (img.channels === 3) bytesToUnit(images, b * plane, img.data, plane);
    else grayToUnitRgb(images, b * plane, img.data, W * H);
    const l = s.labels;
    for (let k = 0; k < l.length; k += 5) {
      const x1 = l[k + 1]!, y1 = l[k + 2]!, x2 = l[k + 3]!, y2 = l[k + 4]!;
      targets[t++] = b;
      targets[t++] = l[k]!;
      targets[t++] = (x1 + x2) / 2 / W;
      targets[t++] = (y1 + y2) / 2 / H;
      targets[t++] = (x2 - x1) / W;
      targets[t++] = (y2 - y1) / H;
    }
  });
  return { images, shape: [samples.length, H, W, 3], targets, numTargets };
}

/** v / 255 as float32 for every byte (a 256-entry table: one load per pixel). */
const UNIT = (() => {
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v / 255;
  return lut;
})();

// Small monomorphic loops (kept out of closures so V8 optimises them once).
function bytesToUnit(dst: Float32Array, offset: number, src: Uint8Array, n: number): void {
  for (let k = 0; k < n; k++) dst[offset + k] = UNIT[src[k]!]!;
}

function grayToUnitRgb(dst: Float32Array, offset: number, src: Uint8Array, n: number): void {
  for (let k = 0, q = offset; k < n; k++, q += 3) {
    const v = UNIT[src[k]!]!;
    dst[q] = v;
    dst[q + 1] = v;
    dst[q + 2] = v;
  }
}
