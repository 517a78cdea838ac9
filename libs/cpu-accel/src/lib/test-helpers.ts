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
