import type { LabeledImage, Rng } from '@vigil/core';
import { concatLabels, labelCount } from './labels.js';

/**
 * Mixes two samples of the same size with a fixed ratio: `img = trunc(a·r + b·(1 − r))` (the original's
 * `(img * r + img2 * (1 - r)).astype(np.uint8)`), labels of both concatenated (a's first).
 */
export function mixupWithRatio(a: LabeledImage, b: LabeledImage, r: number): LabeledImage {
  const ia = a.image;
  const ib = b.image;
  if (ia.width !== ib.width || ia.height !== ib.height || ia.channels !== ib.channels) {
    throw new RangeError(`mixup needs two images of the same shape, got ${ia.width}×${ia.height}×${ia.channels} and ${ib.width}×${ib.height}×${ib.channels}`);
  }
  if (!(r >= 0 && r <= 1)) throw new RangeError(`mixup ratio must be in [0, 1], got ${r}`);
  labelCount(a.labels);
  labelCount(b.labels);
  const out = new Uint8Array(ia.data.length);
  const r1 = 1 - r;
  const da = ia.data;
  const db = ib.data;
  for (let i = 0; i < out.length; i++) out[i] = da[i]! * r + db[i]! * r1; // Uint8Array store truncates like astype
  return { image: { ...ia, data: out }, labels: concatLabels([a.labels, b.labels]) };
}

/** YOLOv5 MixUp: ratio r ~ Beta(8, 8), then {@link mixupWithRatio}. */
export function mixup(a: LabeledImage, b: LabeledImage, rng: Rng): LabeledImage {
  return mixupWithRatio(a, b, rng.beta(8, 8));
}
