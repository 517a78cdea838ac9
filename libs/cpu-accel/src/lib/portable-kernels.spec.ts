import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateCpuAccel } from './accelerator.js';
import { patchCpuBackend } from './cpu-backend-patch.js';
import { BN_SILU, CONV_BIAS_SILU, CONV_BN_SILU } from '@vigil/core';
import { convBnSilu, isFusedConvBnSiluAvailable } from './conv-bn-silu.js';
import { CONV_CASES, convWithGrads, onCpuAndActive, randomArray, relativeError } from './test-helpers.js';

describe('composite path (wasm backend + pure-TS composite gradients) vs the stock cpu backend', () => {
  beforeAll(async () => {
    await patchCpuBackend();
    const status = await activateCpuAccel({ kernels: 'composite' });
    expect(status).toMatchObject({ path: 'portable', tfBackend: 'wasm' });
    expect(status.description).toMatch(/portable composite training kernels/);
  });

  it('has no fused BN+SiLU training kernel (the model then uses plain ops)', () => {
    expect(isFusedConvBnSiluAvailable()).toBe(false);
    expect(tf.getKernel(BN_SILU, 'wasm')).toBeUndefined();
    expect(tf.getKernel(CONV_BIAS_SILU, 'wasm')).toBeUndefined();
  });

  it('registers the eval CONV_BN_SILU kernel: the scale folded into the filter, fused conv + bias, silu; no leak', () => {
    const x = tf.tensor4d(randomArray(2 * 6 * 6 * 3, 1), [2, 6, 6, 3]);
    const filter = tf.tensor4d(randomArray(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    const scale = tf.tensor1d(randomArray(4, 3, 0.5).map((v) => v + 1));
    const bias = tf.tensor1d(randomArray(4, 4));
    const before = tf.memory().numTensors;
    const y = tf.engine().runKernel(CONV_BN_SILU, { x, filter, scale, bias }, { stride: 2, pad: 1 }) as tf.Tensor4D;
    expect(tf.memory().numTensors).toBe(before + 1);
    const ref = tf.tidy(() => {
      const z = tf.fused.conv2d({ x, filter: tf.mul(filter, scale) as tf.Tensor4D, bias, strides: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] });
      return tf.mul(z, tf.sigmoid(z));
    });
    expect(y.shape).toEqual([2, 3, 3, 4]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    tf.dispose([x, filter, scale, bias, y, ref]);
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
