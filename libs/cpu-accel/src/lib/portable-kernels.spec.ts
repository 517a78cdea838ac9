import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateCpuAccel } from './accelerator.js';
import { patchCpuBackend } from './cpu-backend-patch.js';
import { convBnSilu, isFusedConvBnSiluAvailable } from './conv-bn-silu.js';
import { CONV_CASES, convWithGrads, onCpuAndActive, randomArray, relativeError } from './test-helpers.js';

describe('composite path (wasm backend + pure-TS composite gradients) vs the stock cpu backend', () => {
  beforeAll(async () => {
    await patchCpuBackend();
    const status = await activateCpuAccel({ kernels: 'composite' });
    expect(status).toMatchObject({ path: 'portable', tfBackend: 'wasm' });
    expect(status.description).toMatch(/portable composite training kernels/);
  });

  it('has no fused Conv+BN+SiLU kernel (the model then uses plain ops)', () => {
    expect(isFusedConvBnSiluAvailable()).toBe(false);
  });

  it('Identity (tf.clone) shares the buffer, counts references, and survives variable updates', () => {
    const before = tf.memory().numTensors;
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    const init = tf.tensor1d([1, 2]), next = tf.tensor1d([5, 6]);
    const v = tf.variable(init);
    const c = tf.clone(v);
    v.assign(next);
    tf.dispose([init, next]);
    expect(Array.from(c.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    tf.dispose([b, c, v]);
    expect(tf.memory().numTensors).toBe(before);
  });

  for (const c of CONV_CASES) {
    it(`Conv2D / composite backprop-input / composite backprop-filter: ${c.name}`, async () => {
      const { ref, got } = await onCpuAndActive(convWithGrads(c));
      expect(relativeError(got[0]!, ref[0]!)).toBeLessThan(1e-5);
      expect(relativeError(got[1]!, ref[1]!)).toBeLessThan(1e-5);
      expect(relativeError(got[2]!, ref[2]!)).toBeLessThan(1e-4);
    });
  }

  it('convBnSilu with plain ops trains (gradients match cpu) and does not leak', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const x = tf.tensor4d(randomArray(2 * 8 * 8 * 3, 1), [2, 8, 8, 3]);
      const w = tf.tensor4d(randomArray(3 * 3 * 3 * 4, 2, 0.3), [3, 3, 3, 4]);
      const g = tf.ones([4]) as tf.Tensor1D, b = tf.zeros([4]) as tf.Tensor1D;
      const f = (a: tf.Tensor, ww: tf.Tensor) => tf.mean(tf.square(convBnSilu(a as tf.Tensor4D, ww as tf.Tensor4D, g, b, { stride: 2 }).y));
      return tf.grads(f)([x, w]);
    });
    expect(relativeError(got[0]!, ref[0]!)).toBeLessThan(1e-5);
    expect(relativeError(got[1]!, ref[1]!)).toBeLessThan(1e-4);

    const w = tf.variable(tf.tensor4d(randomArray(3 * 3 * 3 * 4, 2, 0.3), [3, 3, 3, 4]));
    const x = tf.tensor4d(randomArray(2 * 8 * 8 * 3, 1), [2, 8, 8, 3]);
    const g = tf.ones([4]) as tf.Tensor1D, b = tf.zeros([4]) as tf.Tensor1D;
    const opt = tf.train.sgd(0.1);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      opt.minimize(() => tf.tidy(() => tf.mean(tf.square(convBnSilu(x, w as tf.Tensor4D, g, b, { stride: 2 }).y))), false);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    tf.dispose([w, x, g, b]);
    opt.dispose();
  });
});
