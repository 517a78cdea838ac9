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

/** Flips labels left-right (x → W − x) or up-down (y → H − y) into a new array. */
function flipLabels(labels: Float32Array, size: number, axis: 'lr' | 'ud'): Float32Array {
  const n = labelCount(labels);
  const out = new Float32Array(labels.length);
  const [a, b] = axis === 'lr' ? [1, 3] : [2, 4];
  for (let i = 0; i < n; i++) {
    const o = i * 5;
    out.set(labels.subarray(o, o + 5), o);
    out[o + a] = size - labels[o + b]!;
    out[o + b] = size - labels[o + a]!;
  }
  return out;
}

/** Mirrors `data` (an image's pixels) in place: columns for 'lr', rows for 'ud'. */
function flipPixelsInPlace(data: Uint8Array, w: number, h: number, cn: number, axis: 'lr' | 'ud'): void {
  const stride = w * cn;
  if (axis === 'ud') {
    const tmp = new Uint8Array(stride);
    for (let y = 0, z = h - 1; y < z; y++, z--) {
      tmp.set(data.subarray(y * stride, (y + 1) * stride));
      data.copyWithin(y * stride, z * stride, (z + 1) * stride);
      data.set(tmp, z * stride);
    }
    return;
  }
  for (let y = 0; y < h; y++) {
    for (let a = y * stride, b = a + stride - cn; a < b; a += cn, b -= cn) {
      for (let c = 0; c < cn; c++) {
        const t = data[a + c]!;
        data[a + c] = data[b + c]!;
        data[b + c] = t;
      }
    }
  }
}

/**
 * {@link randomFlips} that mirrors `sample.image.data` in place (for pipelines that own the buffer) and returns the
 * sample with new labels. Same draws as {@link randomFlips}.
 */
export function randomFlipsInPlace(sample: LabeledImage, probabilities: { flipud: number; fliplr: number }, rng: Rng): LabeledImage {
  const { width: w, height: h, channels: cn, data } = sample.image;
  let labels = sample.labels;
  if (rng.chance(probabilities.flipud)) {
    flipPixelsInPlace(data, w, h, cn, 'ud');
    labels = flipLabels(labels, h, 'ud');
  }
  if (rng.chance(probabilities.fliplr)) {
    flipPixelsInPlace(data, w, h, cn, 'lr');
    labels = flipLabels(labels, w, 'lr');
  }
  return { image: sample.image, labels };
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

