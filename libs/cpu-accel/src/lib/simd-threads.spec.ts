import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateCpuAccel } from './accelerator.js';
import { patchCpuBackend } from './cpu-backend-patch.js';
import { convBnSilu } from './conv-bn-silu.js';
import { simdModulePath } from './simd-kernels.js';
import { SimdThreadPool, simdThreadCount, THREADS_ENV } from './simd-threads.js';
import { CONV_CASES, convWithGrads, padArg, randomArray, relativeError, values } from './test-helpers.js';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';

const mtPath = join(dirname(simdModulePath()), 'kernels-mt.wasm');

describe('threaded wasm-SIMD convolutions (shared-memory build, worker threads)', () => {
  beforeAll(async () => {
    await patchCpuBackend();
  });
  afterAll(async () => {
    await activateCpuAccel({ kernels: 'portable', threads: 1 }); // stops the test pools' workers
  });

  for (const c of CONV_CASES.filter((k) => k.N > 1)) {
    it(`2 and 3 threads: conv / backprop-input / backprop-filter match the cpu backend: ${c.name}`, async () => {
      await tf.setBackend('cpu');
      const [y, dx, dw] = values(convWithGrads(c));
      const x = randomArray(c.N * c.H * c.W * c.C, 11), w = randomArray(c.k * c.k * c.C * c.K, 12, 1 / Math.sqrt(c.k * c.k * c.C));
      const r = randomArray(y!.length, 13);
      const ci = tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [c.k, c.k, c.C, c.K], c.s, 1, padArg(c.pad), undefined, false, 'channelsLast');
      const dims = [ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth, ci.outChannels, ci.filterHeight, ci.filterWidth,
        ci.strideHeight, ci.strideWidth, ci.padInfo.top, ci.padInfo.left, 1, 1];
      for (const threads of [2, 3]) {
        const pool = SimdThreadPool.create(threads, mtPath)!;
        expect(pool.threads).toBe(threads);
        const gy = new Float32Array(y!.length), gdx = new Float32Array(dx!.length), gdw = new Float32Array(dw!.length);
        pool.conv('fwd', dims, x, w, gy);
        pool.conv('bwdData', dims, r, w, gdx);
        pool.conv('bwdWeights', dims, x, r, gdw);
        pool.dispose();
        expect({ threads, y: relativeError(gy, y!) < 1e-5, dx: relativeError(gdx, dx!) < 1e-5, dw: relativeError(gdw, dw!) < 1e-4 })
          .toEqual({ threads, y: true, dx: true, dw: true });
      }
    });
  }

  it('through the registered kernels: a batch big enough to be threaded gives the single-threaded results', async () => {
    const build = () => {
      const x = tf.tensor4d(randomArray(4 * 24 * 24 * 32, 81), [4, 24, 24, 32]);
      const w = tf.tensor4d(randomArray(3 * 3 * 32 * 32, 82, 0.06), [3, 3, 32, 32]);
      const r = tf.tensor4d(randomArray(4 * 12 * 12 * 32, 83), [4, 12, 12, 32]);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), r)))([x, w]);
      return [tf.conv2d(x, w, 2, 'same'), dx!, dw!];
    };
    expect((await activateCpuAccel({ kernels: 'portable', threads: 1 })).description).not.toMatch(/threads/);
    const one = values(build);
    expect((await activateCpuAccel({ kernels: 'portable', threads: 2 })).description).toMatch(/convolutions on 2 threads/);
    const two = values(build);
    expect(Array.from(two[0]!)).toEqual(Array.from(one[0]!)); // images are independent: bit-identical
    expect(Array.from(two[1]!)).toEqual(Array.from(one[1]!));
    expect(relativeError(two[2]!, one[2]!)).toBeLessThan(1e-6); // filter gradient: per-thread partial sums
  });

  it('a threaded training step keeps the tensor count constant', async () => {
    await activateCpuAccel({ kernels: 'portable', threads: 2 });
    const w = tf.variable(tf.tensor4d(randomArray(3 * 3 * 16 * 32, 91, 0.1), [3, 3, 16, 32]));
    const gamma = tf.variable(tf.ones([32]) as tf.Tensor1D), beta = tf.variable(tf.zeros([32]) as tf.Tensor1D);
    const x = tf.tensor4d(randomArray(4 * 24 * 24 * 16, 92), [4, 24, 24, 16]);
    const opt = tf.train.sgd(0.01);
    const counts: number[] = [];
    for (let step = 0; step < 3; step++) {
      opt.minimize(() => tf.mean(tf.square(convBnSilu(x, w as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D).y)));
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    tf.dispose([w, gamma, beta, x]);
    opt.dispose();
  });

  it(`${THREADS_ENV} sets the thread count (a number, or auto = the CPU count); default the CPU count`, () => {
    expect(simdThreadCount({ [THREADS_ENV]: '1' })).toBe(1);
    expect(simdThreadCount({ [THREADS_ENV]: '3' })).toBe(3);
    expect(simdThreadCount({ [THREADS_ENV]: '64' })).toBe(8);
    expect(simdThreadCount({ [THREADS_ENV]: 'auto' })).toBe(Math.min(8, availableParallelism()));
    expect(simdThreadCount({})).toBe(Math.min(8, availableParallelism()));
    expect(simdThreadCount({ [THREADS_ENV]: 'x' })).toBe(Math.min(8, availableParallelism()));
    expect(SimdThreadPool.create(1, mtPath)).toBeUndefined();
  });
});
