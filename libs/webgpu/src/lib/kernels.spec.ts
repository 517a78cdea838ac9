/**
 * Every kernel a yolov5 training step (model forward, ComputeLoss, backward, SGD, EMA, gradient clipping) and its
 * validation run — the list `tf.profile` gives for `fit` on the cpu backend — computes on webgpu as on the stock cpu
 * backend: outputs within 1e-5 and gradients within 1e-4 of the largest reference value, on small shapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs'; // tfjs-core's gradient functions (its Node build registers none)
import { describe, expect, it } from 'vitest';
import { activateWebGpu } from './activate.js';
import { webgpuForTests } from './test-helpers.js';

const gpu = await webgpuForTests();

type Fn = (...xs: tf.Tensor[]) => tf.Tensor;
interface Case {
  name: string;
  /** input shapes (float32 N(0,1) inputs from a fixed seed) */
  shapes: number[][];
  f: Fn;
  /** differentiate w.r.t. the inputs (default true) */
  grad?: boolean;
}

const c4 = (t: tf.Tensor) => t as tf.Tensor4D;
const cases: Case[] = [
  { name: 'Conv2D k1 / backprop', shapes: [[2, 3, 3, 8], [1, 1, 8, 6]], f: (x, w) => tf.conv2d(c4(x!), c4(w!), 1, 'valid') },
  { name: 'Conv2D k3 same / backprop', shapes: [[2, 4, 4, 8], [3, 3, 8, 6]], f: (x, w) => tf.conv2d(c4(x!), c4(w!), 1, 'same') },
  { name: 'Conv2D k3 s2 on a padded map (PadV2)', shapes: [[2, 4, 4, 8], [3, 3, 8, 12]], f: (x, w) => tf.conv2d(tf.pad(c4(x!), [[0, 0], [1, 1], [1, 1], [0, 0]]), c4(w!), 2, 'valid') },
  { name: 'Conv2D k6 s2 stem, 3 channels', shapes: [[1, 12, 12, 3], [6, 6, 3, 8]], f: (x, w) => tf.conv2d(tf.pad(c4(x!), [[0, 0], [2, 2], [2, 2], [0, 0]]), c4(w!), 2, 'valid') },
  { name: 'Conv2D k3 same on a 1×1 map', shapes: [[2, 1, 1, 16], [3, 3, 16, 4]], f: (x, w) => tf.conv2d(c4(x!), c4(w!), 1, 'same') },
  { name: 'MaxPool k5 same (SPPF) / MaxPoolGrad', shapes: [[2, 4, 4, 8]], f: (x) => tf.maxPool(tf.maxPool(c4(x!), 5, 1, 'same'), 5, 1, 'same') },
  { name: 'ResizeNearestNeighbor ×2 / grad (batch 1)', shapes: [[1, 3, 3, 4]], f: (x) => tf.image.resizeNearestNeighbor(c4(x!), [6, 6]) },
  { name: 'Concat, SplitV, Slice', shapes: [[2, 2, 2, 6], [2, 2, 2, 4]], f: (a, b) => { const [p, q] = tf.split(tf.concat([a!, b!], 3), [3, 7], 3); return tf.add(tf.slice(p!, [0, 0, 0, 0], [2, 2, 2, 3]), tf.slice(q!, [0, 0, 0, 1], [2, 2, 2, 3])); } },
  { name: 'SiLU: Sigmoid, Multiply', shapes: [[2, 3, 3, 4]], f: (x) => tf.mul(x!, tf.sigmoid(x!)) },
  { name: 'BatchNorm (train): Mean, Sub, Square, Add, Rsqrt', shapes: [[2, 3, 3, 4], [4], [4]], f: (x, g, b) => { const m = tf.mean(x!, [0, 1, 2]); const v = tf.mean(tf.square(tf.sub(x!, m)), [0, 1, 2]); return tf.add(tf.mul(tf.mul(tf.sub(x!, m), tf.rsqrt(tf.add(v, 1e-3))), g!), b!); } },
  { name: 'FusedBatchNorm (eval)', shapes: [[2, 3, 3, 4], [4], [4], [4], [4]], f: (x, m, v, o, s) => tf.batchNorm(x!, m!, tf.add(tf.abs(v!), 0.5), o!, s!, 1e-3), grad: false },
  { name: 'BCE: Softplus, Neg, Sum, RealDiv', shapes: [[40], [40]], f: (x, t) => tf.div(tf.sum(tf.add(tf.softplus(tf.neg(x!)), tf.mul(tf.sub(1, tf.sigmoid(t!)), x!))), 40) },
  { name: 'box decode: Pow, Sqrt, Transpose, Reshape, Tile', shapes: [[2, 3, 4, 5]], f: (x) => tf.sqrt(tf.add(tf.pow(tf.mul(tf.sigmoid(tf.reshape(tf.transpose(x!, [0, 3, 1, 2]), [2, 5, 12])), 2), 2), tf.tile(tf.ones([1, 1, 12]), [2, 5, 1]))) },
  // ScatterNd is gatherRows' gradient, a scatter-add that sums duplicate rows (it has no gradient of its own)
  { name: 'GatherV2, ScatterNd with duplicates, Pack', shapes: [[6, 5]], f: (x) => { const g = tf.gather(x!, tf.tensor1d([4, 0, 2, 2], 'int32')); return tf.add(tf.scatterND(tf.tensor2d([[1], [3], [1]], [3, 1], 'int32'), tf.range(0, 15).reshape([3, 5]), [6, 5]), tf.stack([g, g]).sum(0).pad([[0, 2], [0, 0]])); } },
  { name: 'AddN of 3', shapes: [[7], [7], [7]], f: (a, b, c) => tf.addN([a!, b!, c!]) },
  { name: 'Cast, Range, Identity', shapes: [[8]], f: (x) => tf.mul(tf.cast(tf.cast(tf.mul(x!, 3), 'int32'), 'float32'), tf.range(0, 8)), grad: false },
];

/** Output and input gradients (a fixed random cotangent) of `c` on the active backend, as plain arrays. */
function evaluate(c: Case, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const xs = c.shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', seed + i));
    const y = c.f(...xs);
    const out = [Float32Array.from(y.dataSync())];
    if (c.grad === false) return out;
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 100);
    const gs = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(c.f(...a), dy)))(xs);
    return [...out, ...gs.map((g) => Float32Array.from(g.dataSync()))];
  });
}

/** max |a − b| over max |a| (1 when a is all zeros). */
function relError(ref: Float32Array, got: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(ref[i]! - got[i]!));
    m = Math.max(m, Math.abs(ref[i]!));
  }
  return d / (m || 1);
}

describe.skipIf(gpu.skip !== undefined)('webgpu kernels against the cpu backend', () => {
  it.each(cases.map((c, i) => [c.name, c, 1000 + 10 * i] as const))('%s', async (_name, c, seed) => {
    await tf.setBackend('cpu');
    const ref = evaluate(c, seed);
    await activateWebGpu({ allowSoftware: true });
    const before = tf.memory().numTensors;
    const got = evaluate(c, seed);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.map((g) => g.length)).toEqual(ref.map((r) => r.length));
    expect(relError(ref[0]!, got[0]!), 'output').toBeLessThan(1e-5);
    for (let k = 1; k < ref.length; k++) expect(relError(ref[k]!, got[k]!), `gradient ${k}`).toBeLessThan(1e-4);
  });

  it('ResizeNearestNeighborGrad at batch 2 equals the 2×2 block sum (the stock cpu kernel is wrong there)', async () => {
    await activateWebGpu({ allowSoftware: true });
    const [g, ref] = tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
      const dy = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 8);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(a as tf.Tensor4D, [6, 6]), dy)))(x);
      const blocks = tf.sum(tf.reshape(dy, [2, 3, 2, 3, 2, 4]), [2, 4]);
      return [dx.dataSync(), blocks.dataSync()].map((a) => Float32Array.from(a));
    });
    expect(relError(ref!, g!)).toBeLessThan(1e-6);
  });

  it('AddN of more inputs than a shader can bind (the stock kernel fails validation) sums them all, without leaks', async () => {
    const n = 300;
    await tf.setBackend('cpu');
    const ref = tf.tidy(() => Float32Array.from(tf.addN(Array.from({ length: n }, (_, i) => tf.mul(tf.range(0, 5), i + 0.5))).dataSync()));
    await activateWebGpu({ allowSoftware: true });
    const xs = Array.from({ length: n }, (_, i) => tf.tidy(() => tf.mul(tf.range(0, 5), i + 0.5)));
    const before = tf.memory().numTensors;
    const s = tf.addN(xs);
    const got = Float32Array.from(s.dataSync());
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(relError(ref, got)).toBeLessThan(1e-6);
    expect(xs.every((x) => !x.isDisposed)).toBe(true); // the inputs stay the caller's
    tf.dispose(xs);
  });
});
