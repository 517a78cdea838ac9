import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@vigil/core';

/** Test support (not exported from the package): seeded data and backend comparisons. */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-scale, scale);
  return a;
}

/** max |got − ref| / max |ref| (the tolerance measure of issue 3). */
export function relativeError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length !== ref.length) return Number.POSITIVE_INFINITY;
  let d = 0, r = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(got[i]! - ref[i]!);
    if (!(e <= d)) d = e;
    r = Math.max(r, Math.abs(ref[i]!));
  }
  return r === 0 ? d : d / r;
}

/** Runs `fn` on the active backend and returns every resulting tensor's values (tensors disposed). */
export function values(fn: () => tf.Tensor[]): Float32Array[] {
  const ts = tf.tidy(fn);
  const out = ts.map((t) => t.dataSync() as Float32Array);
  tf.dispose(ts);
  return out;
}

/** Runs `build` on the stock `cpu` backend (reference) and on the active accelerated backend; returns both results. */
export async function onCpuAndActive(build: () => tf.Tensor[]): Promise<{ ref: Float32Array[]; got: Float32Array[] }> {
  const active = tf.getBackend();
  await tf.setBackend('cpu');
  const ref = values(build);
  await tf.setBackend(active);
  const got = values(build);
  return { ref, got };
}

export interface ConvCase {
  name: string;
  N: number; H: number; W: number; C: number; K: number; k: number; s: number;
  pad: number | 'same' | 'valid';
}

/** Convolution cases: YOLOv5's shapes (3×3 s1/s2, 1×1, the 6×6 s2 p2 P6 stem) and tfjs padding modes. */
export const CONV_CASES: ConvCase[] = [
  { name: '3x3 s1 p1', N: 2, H: 9, W: 8, C: 5, K: 6, k: 3, s: 1, pad: 1 },
  { name: '3x3 s2 p1, even input', N: 2, H: 10, W: 10, C: 4, K: 8, k: 3, s: 2, pad: 1 },
  { name: '1x1 s1', N: 2, H: 7, W: 7, C: 8, K: 4, k: 1, s: 1, pad: 0 },
  { name: '6x6 s2 p2 (P6 stem)', N: 2, H: 16, W: 16, C: 3, K: 8, k: 6, s: 2, pad: 2 },
  { name: "3x3 s2 'valid', input not covered", N: 2, H: 8, W: 9, C: 3, K: 4, k: 3, s: 2, pad: 'valid' },
  { name: "3x3 s2 'same'", N: 1, H: 9, W: 10, C: 4, K: 5, k: 3, s: 2, pad: 'same' },
  { name: '5x5 s1 p2', N: 1, H: 6, W: 6, C: 2, K: 3, k: 5, s: 1, pad: 2 },
  // Enough output rows × filter taps for the wasm-SIMD kernels' im2col to run in several row blocks.
  { name: '3x3 s1 p1, 64 channels', N: 2, H: 18, W: 19, C: 64, K: 12, k: 3, s: 1, pad: 1 },
  { name: '3x3 s2 p1, 32 channels', N: 1, H: 40, W: 38, C: 32, K: 8, k: 3, s: 2, pad: 1 },
  { name: '1x1 s1, 260 pixels', N: 3, H: 13, W: 20, C: 24, K: 20, k: 1, s: 1, pad: 0 },
];

export function padArg(p: ConvCase['pad']): 'same' | 'valid' | tf.backend_util.ExplicitPadding {
  return typeof p === 'number' ? [[0, 0], [p, p], [p, p], [0, 0]] : p;
}

/** y = conv2d(x, w) and the gradients of Σ y·r w.r.t. x and w, from seeded data: [y, dx, dw]. */
export function convWithGrads(c: ConvCase): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(randomArray(c.N * c.H * c.W * c.C, 11), [c.N, c.H, c.W, c.C]);
    const w = tf.tensor4d(randomArray(c.k * c.k * c.C * c.K, 12, 1 / Math.sqrt(c.k * c.k * c.C)), [c.k, c.k, c.C, c.K]);
    const y = tf.conv2d(x, w, c.s, padArg(c.pad));
    const r = tf.tensor(randomArray(y.size, 13), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, padArg(c.pad)), r)))([x, w]);
    return [y, dx!, dw!];
  };
}

/**
 * A small YOLOv5-like net (Conv+BN+SiLU blocks through `convBnSilu`, residual add, SPPF-like max pools, nearest
 * upsample, last-axis concats, a biased head) and the gradients of a mean-square loss w.r.t. all its parameters:
 * returns [loss, ...grads]. Built from seeded data on the active backend.
 */
export function smallNetGrads(convBnSiluOp: (x: tf.Tensor4D, w: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, o: { stride: number }) => { y: tf.Tensor4D }): () => tf.Tensor[] {
  return () => {
    const specs: [number, number, number, number][] = [[3, 8, 3, 2], [8, 8, 3, 1], [8, 4, 1, 1], [16, 8, 1, 1], [16, 4, 1, 1]];
    const params: tf.Tensor[] = [];
    specs.forEach(([c1, c2, k], i) => {
      params.push(tf.tensor4d(randomArray(k * k * c1 * c2, 100 + i, 1 / Math.sqrt(k * k * c1)), [k, k, c1, c2]));
      params.push(tf.add(tf.tensor1d(randomArray(c2, 200 + i, 0.5)), 1), tf.tensor1d(randomArray(c2, 300 + i, 0.5)));
    });
    const head = tf.tensor4d(randomArray(4 * 5, 400, 0.5), [1, 1, 4, 5]), headBias = tf.tensor1d(randomArray(5, 401));
    params.push(head, headBias);
    const x = tf.tensor4d(randomArray(2 * 16 * 16 * 3, 500), [2, 16, 16, 3]);
    const f = (...p: tf.Tensor[]) => {
      const blk = (i: number, t: tf.Tensor4D) => convBnSiluOp(t, p[3 * i] as tf.Tensor4D, p[3 * i + 1] as tf.Tensor1D, p[3 * i + 2] as tf.Tensor1D, { stride: specs[i]![3] }).y;
      const a = blk(0, x);
      const b = tf.add(a, blk(1, a)) as tf.Tensor4D;
      const s = blk(2, b);
      const m1 = tf.maxPool(s, 5, 1, 'same'), m2 = tf.maxPool(m1, 5, 1, 'same');
      const c = blk(3, tf.concat([s, m1, m2, s], 3));
      const up = tf.image.resizeNearestNeighbor(c, [16, 16]);
      const d = blk(4, tf.concat([up, tf.image.resizeNearestNeighbor(b, [16, 16])], 3));
      const out = tf.add(tf.conv2d(d, p[15] as tf.Tensor4D, 1, 'valid'), p[16]!);
      return tf.mean(tf.square(out));
    };
    const { value, grads } = tf.valueAndGrads(f)(params);
    return [value, ...grads];
  };
}
