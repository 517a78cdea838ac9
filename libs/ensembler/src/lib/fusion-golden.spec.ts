import { readFileSync } from 'node:fs';
import { type Detections } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { nonMaximumWeighted } from './non-maximum-weighted.js';
import { softNms } from './soft-nms.js';
import { type WbfConfType, weightedBoxesFusion } from './weighted-boxes-fusion.js';

/** Made by fixtures/make-fusion-golden.py from ZFTurbo's ensemble_boxes (see the script). */
interface Golden {
  reference: string;
  cases: {
    name: string;
    models: { boxes: number[][]; scores: number[]; labels: number[] }[];
    weights: number[] | null;
    results: Record<string, { boxes: number[]; scores: number[]; labels: number[] }>;
  }[];
}
const golden = JSON.parse(readFileSync(new URL('./fixtures/fusion-golden.json', import.meta.url), 'utf8')) as Golden;

function toDetections(m: Golden['cases'][number]['models'][number]): Detections {
  return {
    count: m.scores.length,
    boxes: Float32Array.from(m.boxes.flat()),
    scores: Float32Array.from(m.scores),
    classes: Int32Array.from(m.labels),
  };
}

const TOL = 1e-6;

function expectMatches(got: Detections, want: { boxes: number[]; scores: number[]; labels: number[] }): void {
  expect(got.count).toBe(want.scores.length);
  expect(Array.from(got.classes)).toEqual(want.labels);
  let maxBox = 0;
  let maxScore = 0;
  for (let i = 0; i < got.count; i++) maxScore = Math.max(maxScore, Math.abs(got.scores[i]! - want.scores[i]!));
  for (let i = 0; i < 4 * got.count; i++) maxBox = Math.max(maxBox, Math.abs(got.boxes[i]! - want.boxes[i]!));
  expect(maxBox).toBeLessThanOrEqual(TOL);
  expect(maxScore).toBeLessThanOrEqual(TOL);
}

describe(`fusion matches ensemble_boxes (${golden.reference})`, () => {
  for (const c of golden.cases) {
    const models = c.models.map(toDetections);
    const weights = c.weights ?? undefined;
    describe(c.name, () => {
      it.each(['avg', 'max', 'box_and_model_avg', 'absent_model_aware_avg'] as WbfConfType[])('WBF conf_type %s', (confType) => {
        expectMatches(weightedBoxesFusion(models, { weights, confType }), c.results[`wbf_${confType}`]!);
      });
      it('WBF allows_overflow', () => {
        expectMatches(weightedBoxesFusion(models, { weights, allowsOverflow: true }), c.results['wbf_avg_overflow']!);
      });
      it('WBF iou_thr 0.4, skip_box_thr 0.2', () => {
        expectMatches(weightedBoxesFusion(models, { weights, iouThr: 0.4, skipBoxThr: 0.2 }), c.results['wbf_avg_iou0.4_skip0.2']!);
      });
      it('NMW', () => {
        expectMatches(nonMaximumWeighted(models, { weights }), c.results['nmw']!);
        expectMatches(nonMaximumWeighted(models, { weights, iouThr: 0.4, skipBoxThr: 0.2 }), c.results['nmw_iou0.4_skip0.2']!);
      });
      it.each(['linear', 'gaussian'] as const)('soft-NMS %s (original and decayed scores)', (method) => {
        for (const scores of ['original', 'decayed'] as const) {
          expectMatches(softNms(models, { weights, method, scores }), c.results[`softnms_${method}_${scores}`]!);
        }
      });
    });
  }
});
