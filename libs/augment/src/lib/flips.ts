import type { LabeledImage, Rng } from '@vigil/core';
import { labelCount } from './labels.js';

/**
 * Left-right flip of image and labels: x → width − x (the original flips normalised centres, cx → 1 − cx; in pixel
 * xyxy that is x1' = W − x2, x2' = W − x1). Returns a new sample.
 */
export function fliplr(sample: LabeledImage): LabeledImage {
  const { image, labels } = sample;
  const { width: w, height: h, channels: cn, data } = image;
  const out = new Uint8Array(data.length);
  const stride = w * cn;
  for (let y = 0; y < h; y++) {
    const row = y * stride;
    if (cn === 3) {
      for (let x = 0, s = row + stride - 3; x < stride; x += 3, s -= 3) {
        out[row + x] = data[s]!;
        out[row + x + 1] = data[s + 1]!;
        out[row + x + 2] = data[s + 2]!;
      }
    } else {
      for (let x = 0, s = row + stride - 1; x < stride; x++, s--) out[row + x] = data[s]!;
    }
  }
  const n = labelCount(labels);
  const nl = new Float32Array(labels.length);
  for (let i = 0; i < n; i++) {
    const b = i * 5;
    nl[b] = labels[b]!;
    nl[b + 1] = w - labels[b + 3]!;
    nl[b + 2] = labels[b + 2]!;
    nl[b + 3] = w - labels[b + 1]!;
    nl[b + 4] = labels[b + 4]!;
  }
  return { image: { ...image, data: out }, labels: nl };
}

/** Up-down flip of image and labels: y → height − y. Returns a new sample. */
export function flipud(sample: LabeledImage): LabeledImage {
  const { image, labels } = sample;
  const { width: w, height: h, channels: cn, data } = image;
  const out = new Uint8Array(data.length);
  const stride = w * cn;
  for (let y = 0; y < h; y++) out.set(data.subarray((h - 1 - y) * stride, (h - y) * stride), y * stride);
  const n = labelCount(labels);
  const nl = new Float32Array(labels.length);
  for (let i = 0; i < n; i++) {
    const b = i * 5;
    nl[b] = labels[b]!;
    nl[b + 1] = labels[b + 1]!;
    nl[b + 2] = h - labels[b + 4]!;
    nl[b + 3] = labels[b + 3]!;
    nl[b + 4] = h - labels[b + 2]!;
  }
  return { image: { ...image, data: out }, labels: nl };
}

/**
 * The original's flips, in its order: up-down with probability `flipud`, then left-right with probability `fliplr`
 * (one draw each, always made so the stream does not depend on the outcome). Returns the input object itself when
 * neither flip happens — callers must treat samples as immutable.
 */
export function randomFlips(sample: LabeledImage, probabilities: { flipud: number; fliplr: number }, rng: Rng): LabeledImage {
  let out = sample;
  if (rng.chance(probabilities.flipud)) out = flipud(out);
  if (rng.chance(probabilities.fliplr)) out = fliplr(out);
  return out;
}

