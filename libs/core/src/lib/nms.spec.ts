import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { argsortDescending, nmsIndices, nonMaxSuppression, topKIndices } from './nms.js';

interface GoldenCase {
  seed: number;
  nc: number;
  conf: number;
  iou: number;
  multi_label: boolean;
  agnostic: boolean;
  max_det: number;
  pred: number[];
  out: number[];
}
// Made by fixtures/make-nms-golden.py with the original's non_max_suppression (PyTorch + torchvision).
const golden = JSON.parse(readFileSync(new URL('./fixtures/nms-golden.json', import.meta.url), 'utf8')) as GoldenCase[];

/** One candidate row: cx, cy, w, h, obj, cls… */
function rows(...r: number[][]): Float32Array {
  return new Float32Array(r.flat());
}

describe('nonMaxSuppression', () => {
  it.each(golden.map((g) => [g.seed, g] as const))('matches the original on golden case %i', (_seed, g) => {
    const det = nonMaxSuppression(new Float32Array(g.pred), {
      numClasses: g.nc,
      confThres: g.conf,
      iouThres: g.iou,
      multiLabel: g.multi_label,
      agnostic: g.agnostic,
      maxDet: g.max_det,
    });
    expect(det.count).toBe(g.out.length / 6);
    for (let k = 0; k < det.count; k++) {
      for (let c = 0; c < 4; c++) expect(det.boxes[4 * k + c]).toBe(Math.fround(g.out[6 * k + c]!));
      expect(det.scores[k]).toBe(Math.fround(g.out[6 * k + 4]!));
      expect(det.classes[k]).toBe(g.out[6 * k + 5]);
    }
  });

  it('returns nothing for empty input or nothing above the threshold', () => {
    expect(nonMaxSuppression(new Float32Array(0), { numClasses: 7 }).count).toBe(0);
    const low = rows([10, 10, 4, 4, 0.1, 0.9, 0.9]);
    expect(nonMaxSuppression(low, { numClasses: 2, confThres: 0.25 }).count).toBe(0);
  });

  it('keeps a single box, converting cxcywh to xyxy', () => {
    const det = nonMaxSuppression(rows([10, 20, 4, 6, 0.9, 0.8, 0.1]), { numClasses: 2, confThres: 0.25 });
    expect(det.count).toBe(1);
    expect(Array.from(det.boxes)).toEqual([8, 17, 12, 23]);
    expect(det.scores[0]).toBeCloseTo(0.72, 6);
    expect(det.classes[0]).toBe(0);
  });

  it('suppresses identical boxes of the same class but keeps other classes (multi-label)', () => {
    const p = rows([50, 50, 20, 20, 0.9, 0.9, 0.8], [50, 50, 20, 20, 0.9, 0.9, 0.8]);
    const det = nonMaxSuppression(p, { numClasses: 2, confThres: 0.25, iouThres: 0.5 });
    expect(det.count).toBe(2);
    expect(Array.from(det.classes)).toEqual([0, 1]);
    const single = nonMaxSuppression(p, { numClasses: 2, confThres: 0.25, multiLabel: false });
    expect(single.count).toBe(1);
    const agnostic = nonMaxSuppression(p, { numClasses: 2, confThres: 0.25, agnostic: true });
    expect(agnostic.count).toBe(1);
  });

  it('caps at maxDet and filters classes', () => {
    const r: number[][] = [];
    for (let i = 0; i < 50; i++) r.push([i * 30 + 10, 10, 5, 5, 0.9 - i * 0.01, 0.9, 0.5]);
    const det = nonMaxSuppression(rows(...r), { numClasses: 2, confThres: 0.25, maxDet: 10 });
    expect(det.count).toBe(10);
    const only1 = nonMaxSuppression(rows(...r), { numClasses: 2, confThres: 0.25, classes: [1] });
    expect(Array.from(only1.classes).every((c) => c === 1)).toBe(true);
  });

  it('caps candidates entering NMS at maxNms, keeping the best', () => {
    const r: number[][] = [];
    for (let i = 0; i < 100; i++) r.push([i * 30 + 10, 10, 5, 5, 0.3 + i * 0.005, 1]);
    const det = nonMaxSuppression(rows(...r), { numClasses: 1, confThres: 0.25, maxNms: 5 });
    expect(det.count).toBe(5);
    expect(det.scores[0]).toBeCloseTo(0.3 + 99 * 0.005, 6);
  });

  it('rejects invalid thresholds with a clear message', () => {
    const p = rows([10, 10, 4, 4, 0.9, 0.9]);
    expect(() => nonMaxSuppression(p, { numClasses: 1, confThres: 1.5 })).toThrow(/conf_thres.*\[0, 1\].*1\.5/);
    expect(() => nonMaxSuppression(p, { numClasses: 1, iouThres: -0.1 })).toThrow(/iou_thres/);
    expect(() => nonMaxSuppression(p, { numClasses: 1, confThres: Number.NaN })).toThrow(/conf_thres/);
    expect(() => nonMaxSuppression(p, { numClasses: 2 })).toThrow(/multiple of 5 \+ nc/);
    expect(() => nonMaxSuppression(p, { numClasses: 0 })).toThrow(/numClasses/);
  });
});

describe('nmsIndices / sorting helpers', () => {
  it('keeps the higher score among overlapping boxes and breaks ties by index', () => {
    const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 50, 50, 60, 60]);
    expect(Array.from(nmsIndices(boxes, new Float32Array([0.5, 0.9, 0.7]), 0.5))).toEqual([1, 2]);
    expect(Array.from(nmsIndices(boxes, new Float32Array([0.5, 0.5, 0.5]), 0.5))).toEqual([0, 2]);
    expect(Array.from(nmsIndices(boxes, new Float32Array([0.5, 0.9, 0.7]), 0.5, 1))).toEqual([1]);
    expect(nmsIndices(new Float32Array(0), new Float32Array(0), 0.5).length).toBe(0);
  });
  it('topKIndices equals a full stable sort', () => {
    const s = new Float32Array(5000);
    for (let i = 0; i < s.length; i++) s[i] = Math.round(((i * 7919) % 1000) / 10) / 100;
    const full = argsortDescending(s);
    expect(Array.from(topKIndices(s, s.length, 321))).toEqual(Array.from(full.subarray(0, 321)));
    expect(Array.from(topKIndices(s, 10, 20))).toEqual(Array.from(argsortDescending(s, 10)));
  });
});
