import type { LabeledImage, Rng } from '@vigil/core';
import type { PerspectiveHyp } from './hyp.js';
import { labelCount } from './labels.js';
import { BORDER_VALUE, randomPerspective } from './random-perspective.js';

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
  return fillCanvas(tiles, s, xc, yc, new Uint8Array(4 * s * s * cn));
}

/** Scratch canvas reused by {@link mosaic4} (the canvas never leaves it): saves a 2s×2s allocation per sample. */
let scratch: Uint8Array | undefined;

function fillCanvas(tiles: readonly LabeledImage[], s: number, xc: number, yc: number, canvas: Uint8Array): LabeledImage {
  const cn = tiles[0]!.image.channels;
  const S = 2 * s;
  canvas.fill(BORDER_VALUE);
  let total = 0;
  for (const t of tiles) total += t.labels.length;
  const labels = new Float32Array(total);
  let lo = 0;
  for (let i = 0; i < 4; i++) {
    const { image, labels: tl } = tiles[i]!;
    const { width: w, height: h } = image;
    let x1a: number, y1a: number, x2a: number, y2a: number, x1b: number, y1b: number, x2b: number, y2b: number;
    if (i === 0) {
      [x1a, y1a, x2a, y2a] = [Math.max(xc - w, 0), Math.max(yc - h, 0), xc, yc];
      [x1b, y1b, x2b, y2b] = [w - (x2a - x1a), h - (y2a - y1a), w, h];
    } else if (i === 1) {
      [x1a, y1a, x2a, y2a] = [xc, Math.max(yc - h, 0), Math.min(xc + w, S), yc];
      [x1b, y1b, x2b, y2b] = [0, h - (y2a - y1a), Math.min(w, x2a - x1a), h];
    } else if (i === 2) {
      [x1a, y1a, x2a, y2a] = [Math.max(xc - w, 0), yc, xc, Math.min(S, yc + h)];
      [x1b, y1b, x2b, y2b] = [w - (x2a - x1a), 0, w, Math.min(y2a - y1a, h)];
    } else {
      [x1a, y1a, x2a, y2a] = [xc, yc, Math.min(xc + w, S), Math.min(S, yc + h)];
      [x1b, y1b, x2b, y2b] = [0, 0, Math.min(w, x2a - x1a), Math.min(y2a - y1a, h)];
    }
    // img4[y1a:y2a, x1a:x2a] = img[y1b:y2b, x1b:x2b]; both regions have the same size by construction.
    const rows = Math.min(y2a - y1a, y2b - y1b);
    const rowLen = Math.min(x2a - x1a, x2b - x1b) * cn;
    if (rows > 0 && rowLen > 0) {
      for (let r = 0; r < rows; r++) {
        const src = ((y1b + r) * w + x1b) * cn;
        canvas.set(image.data.subarray(src, src + rowLen), ((y1a + r) * S + x1a) * cn);
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
 * YOLOv5 `load_mosaic`: 4 samples (already resized so their long side is `s`; labels in their pixels) → one
 * `s × s` sample: centre ~ U(s/2, 3s/2), {@link mosaicCanvas}, then {@link randomPerspective} with border −s/2.
 */
export function mosaic4(tiles: readonly LabeledImage[], s: number, rng: Rng, hyp: PerspectiveHyp): LabeledImage {
  const cn = checkTiles(tiles, s);
  const { xc, yc } = drawMosaicCenter(s, rng);
  if (scratch?.length !== 4 * s * s * cn) scratch = new Uint8Array(4 * s * s * cn);
  // randomPerspective always warps here (border −s/2 ≠ 0) into a new buffer, so the scratch canvas does not escape.
  return randomPerspective(fillCanvas(tiles, s, xc, yc, scratch), hyp, mosaicBorder(s), rng);
}
