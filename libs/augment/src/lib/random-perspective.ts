import type { ImageU8, LabeledImage, Rng } from '@vigil/core';
import { boxCandidates } from './box-candidates.js';
import type { PerspectiveHyp } from './hyp.js';
import { labelCount } from './labels.js';
import { drawPerspectiveParams, isIdentity3x3, perspectiveMatrix, type PerspectiveParams } from './perspective-matrix.js';
import { warpAffine, warpPerspective } from './warp.js';

/** YOLOv5's grey: border and mosaic fill value. */
export const BORDER_VALUE = 114;

/**
 * Moves `[n,5]` labels (cls, x1, y1, x2, y2 pixels) through `m` the way the original's `random_perspective` does:
 * transform the 4 corners, take their min/max, clip to `[0, width] × [0, height]`, then keep the boxes that pass
 * {@link boxCandidates} against the original box scaled by `scale`. Classes ride along unchanged.
 *
 * @param m 3×3 row-major input → output matrix.
 * @param perspective divide by the homogeneous coordinate (the original does only when hyp `perspective` ≠ 0).
 * @returns new `[k,5]` labels, k ≤ n, in the input order.
 */
export function transformLabels(labels: Float32Array, m: ArrayLike<number>, perspective: boolean, width: number, height: number, scale: number): Float32Array {
  const n = labelCount(labels);
  if (n === 0) return new Float32Array(0);
  const before = new Float64Array(n * 4);
  const after = new Float64Array(n * 4);
  const xs = [0, 0, 0, 0];
  const ys = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const x1 = labels[i * 5 + 1]!;
    const y1 = labels[i * 5 + 2]!;
    const x2 = labels[i * 5 + 3]!;
    const y2 = labels[i * 5 + 4]!;
    // Corners in the original's order: x1y1, x2y2, x1y2, x2y1.
    const cx = [x1, x2, x1, x2];
    const cy = [y1, y2, y2, y1];
    for (let k = 0; k < 4; k++) {
      const px = cx[k]!;
      const py = cy[k]!;
      const u = px * m[0]! + py * m[1]! + m[2]!;
      const v = px * m[3]! + py * m[4]! + m[5]!;
      if (perspective) {
        const w = px * m[6]! + py * m[7]! + m[8]!;
        xs[k] = u / w;
        ys[k] = v / w;
      } else {
        xs[k] = u;
        ys[k] = v;
      }
    }
    const b = i * 4;
    after[b] = Math.min(Math.max(Math.min(xs[0]!, xs[1]!, xs[2]!, xs[3]!), 0), width);
    after[b + 1] = Math.min(Math.max(Math.min(ys[0]!, ys[1]!, ys[2]!, ys[3]!), 0), height);
    after[b + 2] = Math.min(Math.max(Math.max(xs[0]!, xs[1]!, xs[2]!, xs[3]!), 0), width);
    after[b + 3] = Math.min(Math.max(Math.max(ys[0]!, ys[1]!, ys[2]!, ys[3]!), 0), height);
    before[b] = x1 * scale;
    before[b + 1] = y1 * scale;
    before[b + 2] = x2 * scale;
    before[b + 3] = y2 * scale;
  }
  const keep = boxCandidates(before, after);
  let k = 0;
  for (const ok of keep) if (ok) k++;
  const out = new Float32Array(k * 5);
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    out[o] = labels[i * 5]!;
    out.set(after.subarray(i * 4, i * 4 + 4), o + 1);
    o += 5;
  }
  return out;
}

/**
 * The deterministic half of `random_perspective`: warps `image` by the matrix built from `params` into an output of
 * `(width + 2·border) × (height + 2·border)` (border < 0 crops, as mosaic's −s/2) with grey 114 outside, and moves the
 * labels. Skips the warp (returns a copy) when border = 0 and the matrix is exactly the identity, as the original.
 *
 * @param perspective use the full perspective warp (the original's `if perspective:` on the hyp value).
 */
export function applyPerspective(sample: LabeledImage, params: PerspectiveParams, border: number, perspective: boolean): LabeledImage {
  const { image } = sample;
  const width = image.width + 2 * border;
  const height = image.height + 2 * border;
  if (width <= 0 || height <= 0) throw new RangeError(`border ${border} leaves no output for a ${image.width}×${image.height} image`);
  const m = perspectiveMatrix(params, image.width, image.height, width, height);
  let out: ImageU8;
  if (border !== 0 || !isIdentity3x3(m)) {
    out = perspective ? warpPerspective(image, m, width, height, BORDER_VALUE) : warpAffine(image, m, width, height, BORDER_VALUE);
  } else {
    out = { ...image, data: image.data.slice() };
  }
  return { image: out, labels: transformLabels(sample.labels, m, perspective, width, height, params.scale) };
}

/**
 * YOLOv5 `random_perspective`: draws rotation, scale, shear, perspective and translation from `hyp` (see
 * {@link drawPerspectiveParams}) and applies them ({@link applyPerspective}). Pure: the input is not modified.
 *
 * @param border pixels added on each side of the output (negative crops; mosaic passes −s/2).
 */
export function randomPerspective(sample: LabeledImage, hyp: PerspectiveHyp, border: number, rng: Rng): LabeledImage {
  return applyPerspective(sample, drawPerspectiveParams(hyp, rng), border, hyp.perspective !== 0);
}
