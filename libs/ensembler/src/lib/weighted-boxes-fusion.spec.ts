import { VigilUserError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { dets, plain } from '../testing/detections.js';
import { type WbfConfType, weightedBoxesFusion } from './weighted-boxes-fusion.js';

const BOX = [0.1, 0.2, 0.5, 0.6];
const EMPTY = dets([], []);

describe('weightedBoxesFusion (hand-checked)', () => {
  it('one box from one of two models: confidence scaled by the share of models', () => {
    const want: Record<WbfConfType, number> = { avg: 0.4, max: 0.8, box_and_model_avg: 0.4, absent_model_aware_avg: 0.4 };
    for (const [confType, score] of Object.entries(want)) {
      const out = plain(weightedBoxesFusion([dets([BOX], [0.8]), EMPTY], { confType: confType as WbfConfType }));
      expect(out).toEqual({ boxes: [BOX], scores: [score], classes: [0] });
    }
  });

  it('identical boxes of two models fuse into the same box with the mean (avg) or max confidence', () => {
    const models = [dets([BOX], [0.8]), dets([BOX], [0.6])];
    expect(plain(weightedBoxesFusion(models))).toEqual({ boxes: [BOX], scores: [0.7], classes: [0] });
    expect(plain(weightedBoxesFusion(models, { confType: 'max' })).scores).toEqual([0.8]);
    expect(plain(weightedBoxesFusion(models, { confType: 'box_and_model_avg' })).scores).toEqual([0.7]);
  });

  it('two boxes of the SAME model in a cluster: the conf types differ', () => {
    const models = [dets([BOX, BOX], [0.8, 0.6]), EMPTY];
    const score = (confType: WbfConfType) => plain(weightedBoxesFusion(models, { confType })).scores[0];
    expect(score('avg')).toBe(0.7); // 0.7 · min(2 models, 2 boxes) / 2
    expect(score('box_and_model_avg')).toBe(0.35); // 0.7 · 2 / 2 · (1 model present) / 2
    expect(score('absent_model_aware_avg')).toBe(Number((1.4 / 3).toFixed(6))); // 0.7 · 2 / (2 + 1 absent)
  });

  it('weighted fusion of two overlapping boxes (IoU 0.8) follows the formula', () => {
    const out = plain(weightedBoxesFusion([dets([[0, 0, 0.5, 0.5]], [0.9]), dets([[0, 0, 0.5, 0.4]], [0.8])], { weights: [2, 1] }));
    // scores 1.8 and 0.8; y2 = (1.8·0.5 + 0.8·0.4) / 2.6; conf = (1.8 + 0.8) / 2 · 2 / 3
    expect(out.boxes).toEqual([[0, 0, 0.5, Number((1.22 / 2.6).toFixed(6))]]);
    expect(out.scores).toEqual([Number((1.3 * 2 / 3).toFixed(6))]);
  });

  it('boxes below IoU 0.55 or of different classes stay apart', () => {
    const apart = weightedBoxesFusion([dets([[0, 0, 0.5, 0.5]], [0.9]), dets([[0, 0, 0.5, 0.25]], [0.8])]); // IoU 0.5
    expect(apart.count).toBe(2);
    const classes = weightedBoxesFusion([dets([BOX], [0.9], [0]), dets([BOX], [0.8], [1])]);
    expect(plain(classes).classes).toEqual([0, 1]);
  });

  it('skip threshold drops low raw scores; empty inputs give no boxes', () => {
    const out = plain(weightedBoxesFusion([dets([[0.1, 0.1, 0.3, 0.3], BOX], [0.05, 0.9])], { skipBoxThr: 0.1 }));
    expect(out).toEqual({ boxes: [BOX], scores: [0.9], classes: [0] });
    expect(weightedBoxesFusion([EMPTY, EMPTY]).count).toBe(0);
    expect(weightedBoxesFusion([]).count).toBe(0);
  });

  it('clips to [0, 1], swaps reversed corners, drops zero-area boxes', () => {
    const out = plain(weightedBoxesFusion([dets([[0.5, 1.2, -0.1, 0.4], [0.2, 0.2, 0.2, 0.5]], [0.9, 0.8])]));
    expect(out.boxes).toEqual([[0, 0.4, 0.5, 1]]);
  });

  it('pixel boxes with imageSize give the normalised result scaled back', () => {
    const norm = weightedBoxesFusion([dets([[0, 0, 0.5, 0.5]], [0.9]), dets([[0, 0, 0.5, 0.4]], [0.8])]);
    const px = weightedBoxesFusion([dets([[0, 0, 320, 240]], [0.9]), dets([[0, 0, 320, 192]], [0.8])], { imageSize: { width: 640, height: 480 } });
    expect(px.scores).toEqual(norm.scores);
    expect(plain(px, 3).boxes).toEqual([[0, 0, 320, Number((norm.boxes[3]! * 480).toFixed(3))]]);
  });

  it('rejects models with different class lists, bad weights and bad options with a VigilUserError', () => {
    const models = [dets([BOX], [0.8]), dets([BOX], [0.6])];
    expect(() => weightedBoxesFusion(models, { classNames: [['face', 'phone'], ['face', 'cigar']] })).toThrow(
      /model 1 has classes \[face, cigar\] but model 0 has \[face, phone\]/,
    );
    expect(() => weightedBoxesFusion(models, { classNames: [['a'], undefined] })).not.toThrow();
    expect(() => weightedBoxesFusion(models, { weights: [1, 2, 3] })).toThrow(/3 weights for 2 models/);
    expect(() => weightedBoxesFusion(models, { weights: [1, 0] })).toThrow(/weight of model 1 must be a positive number/);
    expect(() => weightedBoxesFusion(models, { iouThr: 1.5 })).toThrow(VigilUserError);
    expect(() => weightedBoxesFusion(models, { iouThr: 1.5 })).toThrow(/iou_thr must be a number in \[0, 1\], got 1.5/);
    expect(() => weightedBoxesFusion(models, { confType: 'mean' as WbfConfType })).toThrow(/conf_type must be one of/);
    const broken = { ...dets([BOX], [0.8]), count: 2 };
    expect(() => weightedBoxesFusion([broken])).toThrow(/model 0: detections are inconsistent/);
  });
});
