import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateCpuAccel } from './accelerator.js';
import { patchCpuBackend } from './cpu-backend-patch.js';
import { convBnSilu, isFusedConvBnSiluAvailable } from './conv-bn-silu.js';
import { CONV_CASES, convWithGrads, onCpuAndActive, randomArray, relativeError, smallNetGrads } from './test-helpers.js';

describe('portable wasm-SIMD kernels (C→wasm on the tfjs heap, no native addon) vs the stock cpu backend', () => {
  beforeAll(async () => {
    await patchCpuBackend();
    const status = await activateCpuAccel({ kernels: 'portable' });
    expect(status.description).toMatch(/portable wasm-SIMD training kernels/);
  });

  for (const c of CONV_CASES) {
    it(`Conv2D / backprop-input / backprop-filter (im2col + GEMM): ${c.name}`, async () => {
      const { ref, got } = await onCpuAndActive(convWithGrads(c));
      expect(relativeError(got[0]!, ref[0]!)).toBeLessThan(1e-5);
      expect(relativeError(got[1]!, ref[1]!)).toBeLessThan(1e-5);
      expect(relativeError(got[2]!, ref[2]!)).toBeLessThan(1e-4);
    });
  }

  it('Conv2D forward with dilation 2 (im2col path) matches cpu', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const x = tf.tensor4d(randomArray(2 * 11 * 10 * 6, 31), [2, 11, 10, 6]);
      const w = tf.tensor4d(randomArray(3 * 3 * 6 * 5, 32, 0.3), [3, 3, 6, 5]);
      return [tf.conv2d(x, w, 1, 'same', 'NHWC', 2), tf.conv2d(x, w, 1, 'valid', 'NHWC', [2, 1])];
    });
    got.forEach((g, i) => expect({ i, ok: relativeError(g, ref[i]!) < 1e-5 }).toEqual({ i, ok: true }));
  });

  it('Transpose keeping the last axis (Focus space-to-depth, rank 3) as row copies; other perms via the stock kernel', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const x = tf.tensor4d(randomArray(2 * 6 * 8 * 3, 51), [2, 6, 8, 3]);
      const focus = tf.transpose(tf.reshape(x, [2, 3, 2, 4, 2, 3]), [0, 1, 3, 4, 2, 5]);
      const y = tf.tensor3d(randomArray(4 * 5 * 7, 52), [4, 5, 7]);
      return [focus, tf.transpose(y, [1, 0, 2]), tf.transpose(y, [2, 0, 1]), tf.transpose(tf.reshape(y, [20, 7]), [1, 0])];
    });
    got.forEach((g, i) => expect({ i, same: Array.from(g) }).toEqual({ i, same: Array.from(ref[i]!) }));
  });

  it('Slice that is not one contiguous block (rank 2–4, column and inner slices) as row copies; others stock', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const a = tf.tensor2d(randomArray(40 * 12, 61), [40, 12]);
      const b = tf.tensor4d(randomArray(2 * 5 * 6 * 7, 62), [2, 5, 6, 7]);
      return [tf.slice(a, [0, 5], [-1, 7]), tf.slice(a, [3, 0], [10, 2]), tf.slice(a, [3, 0], [10, 12]), tf.slice(b, [1, 1, 2, 3], [1, 3, 4, 2]),
        tf.slice(b, [0, 0, 0, 6], [2, 5, 6, 1]), tf.slice(tf.reshape(b, [2, 5, 42]), [0, 2, 7], [2, 2, 30])];
    });
    got.forEach((g, i) => expect({ i, same: Array.from(g) }).toEqual({ i, same: Array.from(ref[i]!) }));
  });

  it('Transpose and Slice row copies allocate only their outputs (tensors, bytes, backend buffers constant)', () => {
    const x = tf.tensor4d(randomArray(2 * 6 * 8 * 3, 71), [2, 6, 8, 3]);
    const before = tf.memory();
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        tf.transpose(tf.reshape(x, [2, 3, 2, 4, 2, 3]), [0, 1, 3, 4, 2, 5]).dataSync();
        tf.slice(tf.reshape(x, [96, 3]), [0, 1], [-1, 2]).dataSync();
      });
    }
    const after = tf.memory();
    const buffers = (m: tf.MemoryInfo) => (m as tf.MemoryInfo & { numDataBuffers: number }).numDataBuffers;
    expect([after.numTensors, after.numBytes, buffers(after)]).toEqual([before.numTensors, before.numBytes, buffers(before)]);
    expect(buffers(after)).toBeGreaterThan(0);
    x.dispose();
  });

  it('fused BN+SiLU needs channels % 4 == 0; other channel counts use plain ops (both match cpu)', async () => {
    expect(isFusedConvBnSiluAvailable(8)).toBe(true);
    expect(isFusedConvBnSiluAvailable(6)).toBe(false);
    for (const C2 of [8, 6]) {
      const { ref, got } = await onCpuAndActive(() => {
        const x = tf.tensor4d(randomArray(2 * 9 * 9 * 5, 21, 2), [2, 9, 9, 5]);
        const w = tf.tensor4d(randomArray(3 * 3 * 5 * C2, 22, 0.3), [3, 3, 5, C2]);
        const gamma = tf.tensor1d(randomArray(C2, 23)), beta = tf.tensor1d(randomArray(C2, 24));
        const out = convBnSilu(x, w, gamma, beta, { stride: 2 });
        const r = tf.tensor(randomArray(out.y.size, 27), out.y.shape);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, g: tf.Tensor, be: tf.Tensor) =>
          tf.sum(tf.mul(convBnSilu(a as tf.Tensor4D, b as tf.Tensor4D, g as tf.Tensor1D, be as tf.Tensor1D, { stride: 2 }).y, r)))([x, w, gamma, beta]);
        return [out.y, out.mean!, out.variance!, ...grads];
      });
      const tol = [1e-5, 1e-5, 1e-5, 1e-5, 1e-4, 1e-4, 1e-4];
      got.forEach((g, i) => expect({ C2, i, ok: relativeError(g, ref[i]!) < tol[i]! }).toEqual({ C2, i, ok: true }));
    }
  });

  it('MaxPoolGrad, last-axis Concat / SplitV, ResizeNearestNeighborGrad (batch > 1)', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const x = tf.tensor4d(randomArray(2 * 7 * 6 * 3, 41), [2, 7, 6, 3]);
      const r = tf.tensor4d(randomArray(2 * 7 * 6 * 3, 42), [2, 7, 6, 3]);
      const dPool = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 5, 1, 'same'), r)))(x);
      const b = tf.tensor4d(randomArray(2 * 7 * 6 * 5, 43), [2, 7, 6, 5]);
      const cat = tf.concat([x, b, x], 3);
      const parts = tf.split(cat, [4, 6, 1], 3);
      const r2 = tf.tensor4d(randomArray(2 * 14 * 12 * 3, 44), [2, 14, 12, 3]);
      const dUp = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [14, 12]), r2)))(x);
      const r3 = tf.tensor4d(randomArray(2 * 9 * 7 * 3, 45), [2, 9, 7, 3]);
      const dUp3 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [9, 7]), r3)))(x);
      return [dPool, cat, ...parts, dUp, dUp3];
    });
    got.forEach((g, i) => expect({ i, ok: relativeError(g, ref[i]!) < 1e-6 }).toEqual({ i, ok: true }));
  });

  it('end to end: loss and every parameter gradient of a small YOLOv5-like net match the cpu backend', async () => {
    const { ref, got } = await onCpuAndActive(smallNetGrads(convBnSilu));
    expect(got).toHaveLength(18);
    got.forEach((g, i) => expect({ i, ok: relativeError(g, ref[i]!) < 1e-4 }).toEqual({ i, ok: true }));
  });

  it('a training step keeps the tensor count constant (no leaks, scratch freed)', () => {
    const w = tf.variable(tf.tensor4d(randomArray(3 * 3 * 3 * 8, 71, 0.3), [3, 3, 3, 8]));
    const gamma = tf.variable(tf.ones([8]) as tf.Tensor1D), beta = tf.variable(tf.zeros([8]) as tf.Tensor1D);
    const x = tf.tensor4d(randomArray(2 * 8 * 8 * 3, 73), [2, 8, 8, 3]);
    const opt = tf.train.sgd(0.01);
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      opt.minimize(() => {
        const { y } = convBnSilu(x, w as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D, { stride: 2 });
        const p = tf.maxPool(y, 3, 1, 'same');
        return tf.mean(tf.square(tf.image.resizeNearestNeighbor(tf.concat([y, p], 3), [8, 8])));
      });
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    tf.dispose([w, gamma, beta, x]);
    opt.dispose();
  });
});
