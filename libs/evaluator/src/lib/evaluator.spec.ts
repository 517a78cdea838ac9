import type { Detections } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { DetectionEvaluator } from './evaluator.js';

const names = ['a', 'b'];
const det = (cls: number[], boxes: number[], scores: number[]): Detections => ({
  count: cls.length,
  boxes: Float32Array.from(boxes),
  scores: Float32Array.from(scores),
  classes: Int32Array.from(cls),
});
const gt = (cls: number[], boxes: number[]) => ({ count: cls.length, boxes: Float32Array.from(boxes), classes: Int32Array.from(cls) });

describe('DetectionEvaluator', () => {
  it('accumulates images like the original loop: unlabelled predictions are false positives, empty images add labels', () => {
    const ev = new DetectionEvaluator({ names });
    ev.addImage(det([0], [0, 0, 10, 10], [0.9]), gt([0], [0, 0, 10, 10]));
    ev.addImage(det([0], [0, 0, 10, 10], [0.95]), gt([], [])); // FP ranked first
    ev.addImage(det([], [], []), gt([1], [0, 0, 5, 5])); // a label never predicted
    const { metrics, confusion } = ev.result();
    expect(ev.images).toBe(3);
    expect(metrics.labels).toBe(2);
    expect(metrics.classes.map((c) => [c.name, c.labels])).toEqual([['a', 1], ['b', 1]]);
    // class a: FP at 0.95 then TP at 0.9 → precision envelope 0.5 up to recall 1 → AP ≈ 0.5; class b: 0
    expect(metrics.classes[0]!.ap50).toBeCloseTo(0.5, 12);
    expect(metrics.map50).toBeCloseTo(0.25, 12);
    expect(Array.from(ev.stats().conf)).toEqual([Math.fround(0.9), Math.fround(0.95)]);
    // the confusion matrix only sees the image with both labels and predictions
    expect(Array.from(confusion!.matrix)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('rejects class ids outside the names', () => {
    const ev = new DetectionEvaluator({ names, confusion: false });
    expect(() => ev.addImage(det([2], [0, 0, 1, 1], [0.5]), gt([], []))).toThrow(/predicted class 2 is outside 0\.\.1/);
    expect(() => ev.addImage(det([], [], []), gt([-1], [0, 0, 1, 1]))).toThrow(/ground-truth class -1/);
  });
});
