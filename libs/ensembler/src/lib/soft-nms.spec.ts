import { describe, expect, it } from 'vitest';
import { softNms } from './soft-nms.js';
import { dets, plain } from '../testing/detections.js';

const A = [0, 0, 0.5, 0.5];
const B = [0, 0, 0.5, 0.25]; // IoU(A, B) = 0.5
const r6 = (v: number) => Number(v.toFixed(6));

describe('softNms (hand-checked)', () => {
  const models = [dets([A], [0.9]), dets([B], [0.8])];

  it('gaussian: the lower box decays by exp(−IoU²/σ)', () => {
    expect(plain(softNms(models))).toEqual({ boxes: [A, B], scores: [0.9, r6(0.8 * Math.exp(-0.25 / 0.5))], classes: [0, 0] });
    expect(plain(softNms(models, { sigma: 0.25 })).scores).toEqual([0.9, r6(0.8 * Math.exp(-1))]);
  });

  it('linear: decays by (1 − IoU) only above iou_thr', () => {
    expect(plain(softNms(models, { method: 'linear', iouThr: 0.3 })).scores).toEqual([0.9, 0.4]);
    expect(plain(softNms(models, { method: 'linear' })).scores).toEqual([0.9, 0.8]); // IoU 0.5 is not > 0.5
  });

  it('thresh drops boxes whose decayed score is not above it; original scores on request', () => {
    expect(softNms(models, { thresh: 0.5 }).count).toBe(1);
    expect(plain(softNms(models, { scores: 'original' })).scores).toEqual([0.9, 0.8]);
  });

  it('weights scale the scores by w / Σw (as ensemble_boxes), classes are independent', () => {
    expect(plain(softNms(models, { weights: [1, 1] })).scores).toEqual([0.45, r6(0.4 * Math.exp(-0.5))]);
    const twoClasses = plain(softNms([dets([A], [0.9], [0]), dets([A], [0.8], [1])]));
    expect(twoClasses.scores).toEqual([0.9, 0.8]);
    expect(twoClasses.classes).toEqual([0, 1]);
  });

  it('identical boxes: the second decays by exp(−1/σ); empty input gives nothing', () => {
    expect(plain(softNms([dets([A, A], [0.9, 0.8])])).scores).toEqual([0.9, r6(0.8 * Math.exp(-2))]);
    expect(softNms([dets([], []), dets([], [])]).count).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => softNms(models, { method: 'hard' as 'linear' })).toThrow(/method must be 'linear' or 'gaussian'/);
    expect(() => softNms(models, { sigma: 0 })).toThrow(/sigma must be a number/);
    expect(() => softNms(models, { thresh: -1 })).toThrow(/thresh must be a number in \[0, 1\]/);
    expect(() => softNms(models, { classNames: [['a', 'b'], ['a']] })).toThrow(/model 1 has classes \[a\]/);
  });
});
