import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { patchCpuBackend } from './cpu-backend-patch.js';
import { registerGradients } from './gradients.js';
import { randomArray, relativeError } from './test-helpers.js';

/** Nearest 2× upsampling's gradient is the sum of each 2×2 block of dy. */
function expectedGrad(dy: tf.Tensor4D): tf.Tensor4D {
  const [n, oh, ow, c] = dy.shape;
  return tf.sum(tf.reshape(dy, [n, oh / 2, 2, ow / 2, 2, c]), [2, 4]) as tf.Tensor4D;
}

function upsampleGrad(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor {
  const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [t.shape[1]! * 2, t.shape[2]! * 2]), dy));
  return tf.grad(f)(x);
}

describe('patchCpuBackend', () => {
  beforeAll(async () => {
    await registerGradients();
    await tf.setBackend('cpu');
  });

  it('the stock cpu ResizeNearestNeighborGrad is wrong for batch > 1 (the bug being fixed)', () => {
    const x = tf.tensor4d(randomArray(2 * 3 * 4 * 5, 1), [2, 3, 4, 5]);
    const dy = tf.tensor4d(randomArray(2 * 6 * 8 * 5, 2), [2, 6, 8, 5]);
    const got = upsampleGrad(x, dy), want = expectedGrad(dy);
    expect(relativeError(got.dataSync(), want.dataSync())).toBeGreaterThan(0.1);
    tf.dispose([x, dy, got, want]);
  });

  it('gives the right gradient for every image of the batch, without leaking', async () => {
    await patchCpuBackend();
    await patchCpuBackend(); // idempotent
    const x = tf.tensor4d(randomArray(3 * 3 * 4 * 5, 1), [3, 3, 4, 5]);
    const dy = tf.tensor4d(randomArray(3 * 6 * 8 * 5, 2), [3, 6, 8, 5]);
    const before = tf.memory().numTensors;
    const got = upsampleGrad(x, dy);
    expect(tf.memory().numTensors).toBe(before + 1);
    const want = expectedGrad(dy);
    expect(relativeError(got.dataSync(), want.dataSync())).toBeLessThan(1e-6);
    tf.dispose([x, dy, got, want]);
  });

  it('handles non-integer scales like the forward op (each output pixel maps to one source pixel)', async () => {
    await patchCpuBackend();
    const x = tf.tensor4d(randomArray(2 * 3 * 3 * 2, 3), [2, 3, 3, 2]);
    const dy = tf.tensor4d(randomArray(2 * 5 * 7 * 2, 4), [2, 5, 7, 2]);
    // grad of sum(resize(x) * dy) = Σ of dy over the output pixels that read each input pixel: check by linearity.
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [5, 7]), dy));
    const g = tf.grad(f)(x);
    const eps = tf.tensor4d(randomArray(2 * 3 * 3 * 2, 5), [2, 3, 3, 2]);
    const lhs = f(tf.add(x, eps)).dataSync()[0]! - f(x).dataSync()[0]!;
    const rhs = tf.sum(tf.mul(g, eps)).dataSync()[0]!;
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4);
    tf.dispose([x, dy, g, eps]);
  });
});
