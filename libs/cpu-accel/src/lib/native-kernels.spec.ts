import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateCpuAccel } from './accelerator.js';
import { patchCpuBackend } from './cpu-backend-patch.js';
import { convBiasSilu, convBnSilu, convScaleBiasSilu, isFusedConvBnSiluAvailable } from './conv-bn-silu.js';
import { loadNativeAddon, pinThreadsOnce, PIN_ENV } from './native-addon.js';
import { CONV_CASES, convWithGrads, onCpuAndActive, randomArray, relativeError, smallNetGrads } from './test-helpers.js';

// Native-only: skipped (with the reason in the test name) when the addon is not built on this machine.
const spinCountBefore = process.env['GOMP_SPINCOUNT'];
const native = loadNativeAddon();
const cpusAtLoad = availableParallelism(); // the CPUs this thread may use before the kernels below pin it
const suite = describe.skipIf(!native.addon);

suite(`native oneDNN kernels on wasm vs the stock cpu backend (${native.detail})`, () => {
  beforeAll(async () => {
    await patchCpuBackend();
    const status = await activateCpuAccel();
    expect(status.path).toBe('native');
    expect(status.description).toMatch(/oneDNN 2\.\d+/);
  });

  for (const c of CONV_CASES) {
    it(`Conv2D / backprop-input / backprop-filter: ${c.name}`, async () => {
      const { ref, got } = await onCpuAndActive(convWithGrads(c));
      expect(relativeError(got[0]!, ref[0]!)).toBeLessThan(1e-5);
      expect(relativeError(got[1]!, ref[1]!)).toBeLessThan(1e-5);
      expect(relativeError(got[2]!, ref[2]!)).toBeLessThan(1e-4);
    });
  }

  it('Transpose keeping the last axis (native row copies: Focus with C = 1..5, ranks 2–6), others stock; SGD step registered', async () => {
    expect(tf.getKernel('VigilSgdStep', 'wasm')).toBeDefined();
    const { ref, got } = await onCpuAndActive(() => {
      const out: tf.Tensor[] = [];
      for (const C of [1, 2, 3, 4, 5]) {
        const x = tf.tensor4d(randomArray(2 * 6 * 8 * C, 50 + C), [2, 6, 8, C]);
        out.push(tf.transpose(tf.reshape(x, [2, 3, 2, 4, 2, C]), [0, 1, 3, 4, 2, 5]));
      }
      const y = tf.tensor3d(randomArray(4 * 5 * 7, 57), [4, 5, 7]);
      out.push(tf.transpose(y, [1, 0, 2]), tf.transpose(tf.reshape(y, [2, 2, 5, 7]), [2, 0, 1, 3]), tf.transpose(y, [2, 0, 1]));
      return out;
    });
    expect(got.length).toBe(ref.length);
    got.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(ref[i]!)));
  });

  for (const activation of ['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const) {
    it(`FusedConv2D with bias + ${activation}`, async () => {
      const { ref, got } = await onCpuAndActive(() => {
        const x = tf.tensor4d(randomArray(2 * 8 * 8 * 4, 1), [2, 8, 8, 4]);
        const w = tf.tensor4d(randomArray(3 * 3 * 4 * 6, 2, 0.3), [3, 3, 4, 6]);
        const bias = tf.tensor1d(randomArray(6, 3));
        return [tf.fused.conv2d({ x, filter: w, bias, strides: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], activation, leakyreluAlpha: 0.1 })];
      });
      expect(relativeError(got[0]!, ref[0]!)).toBeLessThan(1e-5);
    });
  }

  const bnCase = (training: boolean) => () => {
    const x = tf.tensor4d(randomArray(2 * 9 * 9 * 5, 21, 2), [2, 9, 9, 5]);
    const w = tf.tensor4d(randomArray(3 * 3 * 5 * 8, 22, 0.3), [3, 3, 5, 8]);
    const gamma = tf.tensor1d(randomArray(8, 23)), beta = tf.tensor1d(randomArray(8, 24));
    const runningMean = tf.tensor1d(randomArray(8, 25)), runningVar = tf.add(tf.tensor1d(randomArray(8, 26)), 1.5) as tf.Tensor1D;
    const opts = { stride: 2, pad: 1, training, runningMean, runningVar };
    const out = convBnSilu(x, w, gamma, beta, opts);
    if (!training) return [out.y];
    const r = tf.tensor(randomArray(out.y.size, 27), out.y.shape);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, g: tf.Tensor, be: tf.Tensor) =>
      tf.sum(tf.mul(convBnSilu(a as tf.Tensor4D, b as tf.Tensor4D, g as tf.Tensor1D, be as tf.Tensor1D, opts).y, r)))([x, w, gamma, beta]);
    return [out.y, out.mean!, out.variance!, ...grads];
  };

  it('fused BatchNorm(batch statistics)+SiLU: output, batch mean/variance and all gradients', async () => {
    const { ref, got } = await onCpuAndActive(bnCase(true));
    const names = ['y', 'mean', 'variance', 'dx', 'dfilter', 'dgamma', 'dbeta'];
    const tol = [1e-5, 1e-5, 1e-5, 1e-5, 1e-4, 1e-4, 1e-4];
    names.forEach((n, i) => expect({ [n]: relativeError(got[i]!, ref[i]!) < tol[i]! }).toEqual({ [n]: true }));
  });

  it('Conv+BN+SiLU inference with running statistics (folded, one native conv with a SiLU post-op)', async () => {
    expect(isFusedConvBnSiluAvailable()).toBe(true);
    const { ref, got } = await onCpuAndActive(bnCase(false));
    expect(relativeError(got[0]!, ref[0]!)).toBeLessThan(1e-5);
  });

  it('convBiasSilu matches conv + bias + x·sigmoid(x)', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const x = tf.tensor4d(randomArray(1 * 7 * 6 * 3, 31), [1, 7, 6, 3]);
      const w = tf.tensor4d(randomArray(6 * 6 * 3 * 4, 32, 0.3), [6, 6, 3, 4]);
      return [convBiasSilu(x, w, tf.tensor1d(randomArray(4, 33)), { stride: 2, pad: 2 })];
    });
    expect(relativeError(got[0]!, ref[0]!)).toBeLessThan(1e-5);
  });

  it('convScaleBiasSilu (the yolov5 extension-point form) matches conv·scale + bias, silu; no leak', async () => {
    const build = () => {
      const x = tf.tensor4d(randomArray(2 * 6 * 6 * 3, 34), [2, 6, 6, 3]);
      const filter = tf.tensor4d(randomArray(3 * 3 * 3 * 4, 35, 0.3), [3, 3, 3, 4]);
      const scale = tf.tensor1d(randomArray(4, 36)), bias = tf.tensor1d(randomArray(4, 37));
      return [convScaleBiasSilu({ x, filter, scale, bias, stride: 1, pad: 1 }), convScaleBiasSilu({ x, filter, bias, stride: 2, pad: 1 })];
    };
    const { ref, got } = await onCpuAndActive(build);
    got.forEach((g, i) => expect(relativeError(g, ref[i]!)).toBeLessThan(1e-5));
    const before = tf.memory().numTensors;
    const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, f = tf.zeros([1, 1, 3, 2]) as tf.Tensor4D, b = tf.zeros([2]) as tf.Tensor1D;
    const y = convScaleBiasSilu({ x, filter: f, scale: b, bias: b, stride: 1, pad: 0 });
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose([x, f, b, y]);
  });

  it("MaxPool 5x5 s1 'same' (SPPF) and MaxPoolGrad; 2x2 s2", async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const x = tf.tensor4d(randomArray(2 * 7 * 6 * 3, 41), [2, 7, 6, 3]);
      const r = tf.tensor4d(randomArray(2 * 7 * 6 * 3, 42), [2, 7, 6, 3]);
      const f = (t: tf.Tensor4D) => tf.maxPool(t, 5, 1, 'same');
      const g = (t: tf.Tensor4D) => tf.maxPool(t, 2, 2, 'valid');
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor4D), r)))(x);
      const dx2 = tf.grad((t: tf.Tensor) => tf.sum(g(t as tf.Tensor4D)))(x);
      return [f(x), dx, g(x), dx2];
    });
    // outputs are exact; overlapping windows sum gradients in another order
    got.forEach((g, i) => expect(relativeError(g, ref[i]!)).toBeLessThan(i % 2 ? 1e-6 : 1e-12));
  });

  it('last-axis Concat / SplitV and their gradients; other axes and dtypes still work', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const a = tf.tensor4d(randomArray(2 * 3 * 4 * 2, 51), [2, 3, 4, 2]);
      const b = tf.tensor4d(randomArray(2 * 3 * 4 * 5, 52), [2, 3, 4, 5]);
      const c = tf.tensor4d(randomArray(2 * 3 * 4 * 1, 53), [2, 3, 4, 1]);
      const cat = tf.concat([a, b, c], 3);
      const r = tf.tensor(randomArray(cat.size, 54), cat.shape);
      const [da, db] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q, c], -1), r)))([a, b]);
      const parts = tf.split(cat, [3, 1, 4], 3);
      const axis1 = tf.concat([a, a], 1);
      const ints = tf.cast(tf.concat([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3], 'int32')]), 'float32');
      return [cat, da!, db!, ...parts, axis1, ints];
    });
    got.forEach((g, i) => expect(relativeError(g, ref[i]!)).toBe(0));
  });

  it('Add: large same-shape (native), small, broadcast and int32 (stock) all match', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const a = tf.tensor4d(randomArray(2 * 64 * 64 * 9, 81), [2, 64, 64, 9]), b = tf.tensor4d(randomArray(2 * 64 * 64 * 9, 82), [2, 64, 64, 9]);
      const s = tf.tensor1d(randomArray(9, 83));
      const i = tf.cast(tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32')), 'float32');
      return [tf.add(a, b), tf.add(a, s), tf.add(s, s), i];
    });
    got.forEach((g, i) => expect(relativeError(g, ref[i]!)).toBe(0));
  });

  it('ResizeNearestNeighbor 2x and its gradient for batch > 1', async () => {
    const { ref, got } = await onCpuAndActive(() => {
      const x = tf.tensor4d(randomArray(3 * 4 * 5 * 3, 61), [3, 4, 5, 3]);
      const r = tf.tensor4d(randomArray(3 * 8 * 10 * 3, 62), [3, 8, 10, 3]);
      const up = (t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [8, 10]);
      return [up(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(up(t), r)))(x)];
    });
    expect(relativeError(got[0]!, ref[0]!)).toBe(0);
    expect(relativeError(got[1]!, ref[1]!)).toBeLessThan(1e-6);
  });

  it('end to end: loss and every parameter gradient of a small YOLOv5-like net match the cpu backend', async () => {
    const { ref, got } = await onCpuAndActive(smallNetGrads(convBnSilu));
    expect(got).toHaveLength(18);
    got.forEach((g, i) => expect({ i, ok: relativeError(g, ref[i]!) < 1e-4 }).toEqual({ i, ok: true }));
  });

  it('a training step keeps the tensor count constant (no leaks)', () => {
    const w1 = tf.variable(tf.tensor4d(randomArray(3 * 3 * 3 * 8, 71, 0.3), [3, 3, 3, 8]));
    const w2 = tf.variable(tf.tensor4d(randomArray(1 * 1 * 16 * 4, 72, 0.3), [1, 1, 16, 4]));
    const gamma = tf.variable(tf.ones([8]) as tf.Tensor1D), beta = tf.variable(tf.zeros([8]) as tf.Tensor1D);
    const x = tf.tensor4d(randomArray(2 * 8 * 8 * 3, 73), [2, 8, 8, 3]);
    const opt = tf.train.momentum(0.01, 0.9);
    const counts: number[] = [];
    for (let step = 0; step < 4; step++) {
      const loss = opt.minimize(() => {
        const { y, mean, variance } = convBnSilu(x, w1 as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D, { stride: 2 });
        tf.dispose([mean!, variance!]);
        const p = tf.maxPool(y, 3, 1, 'same');
        const up = tf.image.resizeNearestNeighbor(tf.concat([y, p], 3), [8, 8]);
        return tf.mean(tf.square(tf.conv2d(up, w2 as tf.Tensor4D, 1, 'valid')));
      }, true)!;
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    tf.dispose([w1, w2, gamma, beta, x]);
    opt.dispose();
  });

  it('sets its OpenMP variables only while the addon loads (child processes see the user environment)', () => {
    expect(process.env['GOMP_SPINCOUNT']).toBe(spinCountBefore);
  });

  // Linux only (/proc/thread-self); the pinning needs ≥ 2 OpenMP threads and CPUs (counted before any kernel ran in
  // this file: a thread pinned by an earlier file in the same worker skips the test), and no user placement.
  const canPin = process.platform === 'linux' && native.addon?.pinThreads !== undefined && native.addon.threads() > 1 && cpusAtLoad > 1;
  it.skipIf(!canPin || process.env['OMP_PROC_BIND'] !== undefined || process.env['OMP_PLACES'] !== undefined)(
    'pins the calling thread at the first convolution; a process spawned afterwards gets every CPU back',
    () => {
      const cpusOfThisThread = () => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/thread-self/status', 'utf8'))![1];
      const pin = process.env[PIN_ENV];
      delete process.env[PIN_ENV];
      try {
        tf.conv2d(tf.ones([1, 6, 6, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 2]) as tf.Tensor4D, 1, 'same').dispose();
        pinThreadsOnce(native.addon!); // no-op when the convolution above (or an earlier test) already pinned
      } finally {
        if (pin !== undefined) process.env[PIN_ENV] = pin;
      }
      expect(cpusOfThisThread()).toMatch(/^\d+$/);
      // (-e and a plain write: `node -p` colours its output when FORCE_COLOR is set, as under nx)
      const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(require("node:os").availableParallelism()))'], { encoding: 'utf8' });
      expect(Number(child.stdout), child.stderr).toBe(cpusAtLoad);
    },
  );
});

