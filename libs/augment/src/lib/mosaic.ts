import type { LabeledImage, Rng } from '@vigil/core';
import type { PerspectiveHyp } from './hyp.js';
import { labelCount } from './labels.js';
import { drawPerspectiveParams, perspectiveMatrix } from './perspective-matrix.js';
import { BORDER_VALUE, applyPerspective } from './random-perspective.js';
import { invertAffine } from './warp.js';

/** A canvas rectangle [x0, x1) × [y0, y1). */
type Region = [number, number, number, number];

/** The original's `mosaic_border`: Python's `-img_size // 2` (floor division). */
export function mosaicBorder(s: number): number {
  return Math.floor(-s / 2);
}

/**
 * The original's 4 mosaic indices: the sample itself, then 3 drawn uniformly **with replacement** from the whole
 * dataset (`random.choices(self.indices, k=3)`), not from the epoch's subset.
 */
export function pickMosaicIndices(index: number, datasetSize: number, rng: Rng): [number, number, number, number] {
  if (!Number.isInteger(datasetSize) || datasetSize <= 0) throw new RangeError(`dataset size must be a positive integer, got ${datasetSize}`);
  return [index, rng.int(datasetSize), rng.int(datasetSize), rng.int(datasetSize)];
}

/** Draws the mosaic centre like the original: `int(U(s/2, 3s/2))` for y, then x. */
export function drawMosaicCenter(s: number, rng: Rng): { xc: number; yc: number } {
  const b = -mosaicBorder(s);
  const yc = Math.trunc(rng.uniform(b, 2 * s - b));
  const xc = Math.trunc(rng.uniform(b, 2 * s - b));
  return { xc, yc };
}

function checkTiles(tiles: readonly LabeledImage[], s: number): 1 | 3 {
  if (tiles.length !== 4) throw new RangeError(`mosaic needs 4 images, got ${tiles.length}`);
  if (!Number.isInteger(s) || s <= 0) throw new RangeError(`mosaic size must be a positive integer, got ${s}`);
  const cn = tiles[0]!.image.channels;
  for (const [i, t] of tiles.entries()) {
    if (t.image.channels !== cn) throw new RangeError(`mosaic tile ${i} has ${t.image.channels} channels, tile 0 has ${cn}: convert them to the same first`);
    if (t.image.data.length !== t.image.width * t.image.height * t.image.channels) throw new RangeError(`mosaic tile ${i}: data length does not match its size`);
    labelCount(t.labels);
  }
  return cn;
}

/**
 * The deterministic half of `load_mosaic`: a `2s × 2s` canvas filled with 114, the 4 tiles placed around the centre
 * (xc, yc) — top-left, top-right, bottom-left, bottom-right, each cropped at the canvas edge exactly as the original —
 * and the labels shifted by each tile's offset, then all clipped to `[0, 2s]`. Labels are not filtered here (the
 * original keeps zero-area boxes until `random_perspective`'s `box_candidates`).
 */
export function mosaicCanvas(tiles: readonly LabeledImage[], s: number, xc: number, yc: number): LabeledImage {
  const cn = checkTiles(tiles, s);
  return fillCanvas(tiles, s, xc, yc, new Uint8Array(4 * s * s * cn), false)!;
}

/** Scratch canvases reused by {@link mosaic4} (the canvas never leaves it): saves a 2s×2s allocation per sample. */
const scratch = new Map<number, Uint8Array>();
function scratchCanvas(length: number): Uint8Array {
  let buf = scratch.get(length);
  if (!buf) {
    if (scratch.size > 4) scratch.clear();
    buf = new Uint8Array(length);
    scratch.set(length, buf);
  }
  return buf;
}

/** Where tile i goes: canvas rectangle [x1a, x2a) × [y1a, y2a) ← tile rectangle from (x1b, y1b), as the original. */
function placement(i: number, w: number, h: number, xc: number, yc: number, S: number): [number, number, number, number, number, number] {
  let x1a: number, y1a: number, x2a: number, y2a: number, x1b: number, y1b: number;
  if (i === 0) {
    [x1a, y1a, x2a, y2a] = [Math.max(xc - w, 0), Math.max(yc - h, 0), xc, yc];
    [x1b, y1b] = [w - (x2a - x1a), h - (y2a - y1a)];
  } else if (i === 1) {
    [x1a, y1a, x2a, y2a] = [xc, Math.max(yc - h, 0), Math.min(xc + w, S), yc];
    [x1b, y1b] = [0, h - (y2a - y1a)];
  } else if (i === 2) {
    [x1a, y1a, x2a, y2a] = [Math.max(xc - w, 0), yc, xc, Math.min(S, yc + h)];
    [x1b, y1b] = [w - (x2a - x1a), 0];
  } else {
    [x1a, y1a, x2a, y2a] = [xc, yc, Math.min(xc + w, S), Math.min(S, yc + h)];
    [x1b, y1b] = [0, 0];
  }
  // The original's source slice ends (x2b, y2b) always give the same size as the canvas slice.
  return [x1a, y1a, x2a, y2a, x1b, y1b];
}

/** Copies `n` grey RGB pixels from `src[p…]` to one channel at `dst[o…]`; false at the first pixel with R ≠ G or G ≠ B. */
function copyGreyRow(src: Uint8Array, p: number, dst: Uint8Array, o: number, n: number): boolean {
  for (let x = 0; x < n; x++, p += 3) {
    const v = src[p]!;
    if (v !== src[p + 1] || v !== src[p + 2]) return false;
    dst[o + x] = v;
  }
  return true;
}

/**
 * Fills `canvas` (2s × 2s) with 114 and the tiles, and shifts their labels. With `grey`, the tiles are RGB and the
 * canvas has one channel: each copied pixel must have R = G = B, else the fill stops and returns `null` (the caller
 * then builds the RGB canvas) — so grey-in-RGB mosaics are built and warped on one channel.
 */
function fillCanvas(tiles: readonly LabeledImage[], s: number, xc: number, yc: number, canvas: Uint8Array, grey: boolean, region?: Region): LabeledImage | null {
  const cn = grey ? 1 : tiles[0]!.image.channels;
  const S = 2 * s;
  const [rx0, ry0, rx1, ry1] = region ?? [0, 0, S, S];
  if (rx0 === 0 && rx1 === S) canvas.fill(BORDER_VALUE, ry0 * S * cn, ry1 * S * cn);
  else for (let y = ry0; y < ry1; y++) canvas.fill(BORDER_VALUE, (y * S + rx0) * cn, (y * S + rx1) * cn);
  let total = 0;
  for (const t of tiles) total += t.labels.length;
  const labels = new Float32Array(total);
  let lo = 0;
  for (let i = 0; i < 4; i++) {
    const { image, labels: tl } = tiles[i]!;
    const { width: w, height: h, data } = image;
    const [x1a, y1a, x2a, y2a, x1b, y1b] = placement(i, w, h, xc, yc, S);
    // img4[y1a:y2a, x1a:x2a] = img[y1b:y2b, x1b:x2b], restricted to the region the warp reads.
    const cx0 = Math.max(x1a, rx0);
    const cx1 = Math.min(x2a, rx1);
    const cy0 = Math.max(y1a, ry0);
    const cy1 = Math.min(y2a, ry1);
    const cols = cx1 - cx0;
    if (cy1 > cy0 && cols > 0) {
      const sx = x1b + (cx0 - x1a);
      for (let y = cy0; y < cy1; y++) {
        const dst = (y * S + cx0) * cn;
        const sy = y1b + (y - y1a);
        if (grey) {
          if (!copyGreyRow(data, (sy * w + sx) * 3, canvas, dst, cols)) return null;
        } else {
          const src = (sy * w + sx) * cn;
          canvas.set(data.subarray(src, src + cols * cn), dst);
        }
      }
    }
    const padw = x1a - x1b;
    const padh = y1a - y1b;
    for (let j = 0; j < tl.length; j += 5, lo += 5) {
      labels[lo] = tl[j]!;
      labels[lo + 1] = Math.min(Math.max(tl[j + 1]! + padw, 0), S);
      labels[lo + 2] = Math.min(Math.max(tl[j + 2]! + padh, 0), S);
      labels[lo + 3] = Math.min(Math.max(tl[j + 3]! + padw, 0), S);
      labels[lo + 4] = Math.min(Math.max(tl[j + 4]! + padh, 0), S);
    }
  }
  return { image: { data: canvas, width: S, height: S, channels: cn }, labels };
}

/**
 * The part of the `S × S` canvas an affine warp `m` (3×3, canvas → output) reads for a `W × H` output: the bounding
 * box of the output corners mapped back, with a 2-pixel margin (bilinear taps and OpenCV's 1/32-px rounding stay
 * well inside it), clipped to the canvas. The whole canvas for a perspective or singular matrix.
 */
function readRegion(m: Float64Array, perspective: boolean, W: number, H: number, S: number): Region {
  if (perspective) return [0, 0, S, S];
  const inv = invertAffine([m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!]);
  if (inv[0] === 0 && inv[1] === 0 && inv[3] === 0 && inv[4] === 0) return [0, 0, S, S];
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [u, v] of [[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1]] as const) {
    const x = inv[0]! * u + inv[1]! * v + inv[2]!;
    const y = inv[3]! * u + inv[4]! * v + inv[5]!;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const clamp = (v: number) => Math.min(Math.max(v, 0), S);
  const r: Region = [clamp(Math.floor(x0) - 2), clamp(Math.floor(y0) - 2), clamp(Math.ceil(x1) + 3), clamp(Math.ceil(y1) + 3)];
  return r[2] > r[0] && r[3] > r[1] ? r : [0, 0, 0, 0];
}

/**
 * {@link mosaic4} that, with `tryGrey` and RGB tiles whose copied pixels are all grey, builds and warps a 1-channel
 * canvas and returns a **1-channel** sample (bit-identical to any channel of the RGB result). Same draws either way.
 */
export function mosaicSample(tiles: readonly LabeledImage[], s: number, rng: Rng, hyp: PerspectiveHyp, tryGrey: boolean): LabeledImage {
  const cn = checkTiles(tiles, s);
  const { xc, yc } = drawMosaicCenter(s, rng);
  const params = drawPerspectiveParams(hyp, rng);
  const S = 2 * s;
  const border = mosaicBorder(s);
  const out = S + 2 * border;
  const perspective = hyp.perspective !== 0;
  // Only the part of the canvas the warp reads is built (the rest of the scratch buffer is never read).
  const region = readRegion(perspectiveMatrix(params, S, S, out, out), perspective, out, out, S);
  let canvas: LabeledImage | null = null;
  if (tryGrey && cn === 3) canvas = fillCanvas(tiles, s, xc, yc, scratchCanvas(S * S), true, region);
  canvas ??= fillCanvas(tiles, s, xc, yc, scratchCanvas(S * S * cn), false, region)!;
  // The warp always happens here (border −s/2 ≠ 0) into a new buffer, so the scratch canvas does not escape.
  return applyPerspective(canvas, params, border, perspective);
}

/**
 * YOLOv5 `load_mosaic`: 4 samples (already resized so their long side is `s`; labels in their pixels) → one
 * `s × s` sample: centre ~ U(s/2, 3s/2), {@link mosaicCanvas}, then {@link randomPerspective} with border −s/2.
 */
export function mosaic4(tiles: readonly LabeledImage[], s: number, rng: Rng, hyp: PerspectiveHyp): LabeledImage {
  return mosaicSample(tiles, s, rng, hyp, false);
}
