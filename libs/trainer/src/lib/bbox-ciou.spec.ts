import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bboxCiou } from './bbox-ciou.js';

/** Made by fixtures/make-ciou-golden.py: the original bbox_iou(CIoU) and autograd gradients of sum(upstream·ciou). */
const golden = JSON.parse(readFileSync(new URL('./fixtures/ciou-golden.json', import.meta.url), 'utf8')) as {
  box1: number[];
  box2: number[];
  upstream: number[];
  ciou: number[];
  grad1: number[];
  grad2: number[];
};
const n = golden.ciou.length;
const EDGE_CASES = 7; // the last rows: shared edges (min / max ties), touching, disjoint, identical, nested boxes

/** Largest error relative to each value, with a floor at `floor` × the largest magnitude for values near zero. */
function worstRelative(got: ArrayLike<number>, want: readonly number[], floor: number): number {
  let maxAbs = 0;
  for (const v of want) maxAbs = Math.max(maxAbs, Math.abs(v));
  let worst = 0;
  for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(got[k]! - want[k]!) / Math.max(Math.abs(want[k]!), floor * maxAbs));
  return worst;
}

describe('bboxCiou matches the original bbox_iou(CIoU=True) (golden, torch)', () => {
  const box1 = () => tf.tensor2d(golden.box1, [n, 4]);
  const box2 = () => tf.tensor2d(golden.box2, [n, 4]);

  it('values ≤ 1e-5 relative, edge cases included', () => {
    const [a, b] = [box1(), box2()];
    const c = bboxCiou(a, b);
    expect(c.shape).toEqual([n]);
    expect(worstRelative(c.dataSync(), golden.ciou, 1e-3)).toBeLessThanOrEqual(1e-5);
    tf.dispose([a, b, c]);
  });

  it('gradients w.r.t. both boxes ≤ 3e-5 relative (torch rounds every intermediate to float32, we do not), ties split in half as torch.min / torch.max do', () => {
    const [a, b] = [box1(), box2()];
    const w = tf.tensor1d(golden.upstream);
    const [g1, g2] = tf.grads((x: tf.Tensor, y: tf.Tensor) => bboxCiou(x as tf.Tensor2D, y as tf.Tensor2D))([a, b], w);
    expect(worstRelative(g1!.dataSync(), golden.grad1, 1e-3)).toBeLessThanOrEqual(3e-5);
    expect(worstRelative(g2!.dataSync(), golden.grad2, 1e-3)).toBeLessThanOrEqual(3e-5);
    // the edge cases alone, against their own magnitude (a mistake there would hide under the random rows' floor)
    const tail = (t: tf.Tensor, want: number[]) => [Array.from(t.dataSync().slice(-4 * EDGE_CASES)), want.slice(-4 * EDGE_CASES)] as const;
    for (const [got, want] of [tail(g1!, golden.grad1), tail(g2!, golden.grad2)]) {
      for (let k = 0; k < want.length; k++) expect(Math.abs(got[k]! - want[k]!)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(want[k]!));
    }
    tf.dispose([a, b, w, g1!, g2!]);
  });

  it('does not leak tensors, with or without a gradient, and refuses mismatched shapes', () => {
    const [a, b] = [box1(), box2()];
    const before = tf.memory().numTensors;
    bboxCiou(a, b).dispose();
    const dy = tf.ones([n]);
    const before2 = tf.memory().numTensors;
    const g = tf.grad((x: tf.Tensor) => bboxCiou(x as tf.Tensor2D, b))(a, dy);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before2);
    dy.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => bboxCiou(a, tf.zeros([3, 4]) as tf.Tensor2D)).toThrow(/both be \[n, 4\]/);
    tf.dispose([a, b]);
  });
});
