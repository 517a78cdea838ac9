import { describe, expect, it } from 'vitest';
import { nonMaximumWeighted } from './non-maximum-weighted.js';
import { dets, plain } from '../testing/detections.js';

const A = [0, 0, 0.5, 0.5];
const B = [0, 0, 0.5, 0.4]; // IoU(A, B) = 0.8
const r6 = (v: number) => Number(v.toFixed(6));

describe('nonMaximumWeighted (hand-checked)', () => {
  it('averages a cluster weighted by score × IoU with its best box, keeping the best score', () => {
    const out = plain(nonMaximumWeighted([dets([A], [0.9]), dets([B], [0.8])]));
    // weights 0.9·1 and 0.8·0.8: y2 = (0.9·0.5 + 0.64·0.4) / 1.54
    expect(out).toEqual({ boxes: [[0, 0, 0.5, r6(0.706 / 1.54)]], scores: [0.9], classes: [0] });
  });

  it('model weights are divided by their maximum before scaling the scores', () => {
    const out = nonMaximumWeighted([dets([A], [0.9]), dets([B], [0.8])], { weights: [1, 2] });
    // scores 0.45 (A) and 0.8 (B, now the head): y2 = (0.8·0.4 + 0.45·0.8·0.5) / (0.8 + 0.36)
    expect(plain(out).boxes[0]!.slice(0, 3)).toEqual([0, 0, 0.5]);
    expect(out.boxes[3]).toBeCloseTo(0.5 / 1.16, 6);
    expect(out.scores[0]).toBeCloseTo(0.8, 7);
  });

  it('one box, identical boxes, no overlap, empty models, skip threshold', () => {
    expect(plain(nonMaximumWeighted([dets([A], [0.7]), dets([], [])]))).toEqual({ boxes: [A], scores: [0.7], classes: [0] });
    expect(plain(nonMaximumWeighted([dets([A], [0.7]), dets([A], [0.6])]))).toEqual({ boxes: [A], scores: [0.7], classes: [0] });
    expect(nonMaximumWeighted([dets([A], [0.7]), dets([[0.6, 0.6, 0.9, 0.9]], [0.6])]).count).toBe(2);
    expect(nonMaximumWeighted([dets([], []), dets([], [])]).count).toBe(0);
    expect(plain(nonMaximumWeighted([dets([A, [0.6, 0.6, 0.9, 0.9]], [0.7, 0.05])], { skipBoxThr: 0.1 })).scores).toEqual([0.7]);
  });

  it('rejects bad options', () => {
    expect(() => nonMaximumWeighted([dets([A], [0.7])], { iouThr: -0.1 })).toThrow(/NMW iou_thr must be a number in \[0, 1\]/);
    expect(() => nonMaximumWeighted([dets([A], [0.7])], { weights: [Number.NaN] })).toThrow(/weight of model 0/);
  });
});
