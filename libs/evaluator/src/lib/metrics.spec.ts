import { describe, expect, it } from 'vitest';
import { apPerClass, computeAp } from './ap-per-class.js';
import { computeMetrics, fitness, formatG3, formatMetricsTable } from './metrics.js';

const NAMES = ['a', 'b', 'c'];

describe('computeAp', () => {
  it('a perfect single detection has AP 1 (101-point interpolation with sentinels)', () => {
    expect(computeAp([1], [1])).toBeCloseTo(1, 12);
  });
  it('recall 0.5 at precision 1 → AP ≈ 0.505 (points 0..0.5 inclusive of 101 and a trapezoid to 0.51)', () => {
    // np: mrec [0, .5, .51], mpre [1, 1, 0] → y = 1 for x ≤ .5, then 0 → trapz = 0.505
    expect(computeAp([0.5], [1])).toBeCloseTo(0.505, 12);
  });
});

describe('apPerClass / computeMetrics', () => {
  it('classes with labels but no predictions score 0; predictions of unlabelled classes are ignored', () => {
    const stats = {
      correct: Uint8Array.from([...Array(10).fill(1), ...Array(10).fill(0)]),
      conf: Float32Array.of(0.9, 0.8),
      predCls: Int32Array.of(0, 2),
      targetCls: Int32Array.of(0, 1),
    };
    const r = apPerClass(stats);
    expect(Array.from(r.classes)).toEqual([0, 1]);
    expect(r.ap[0]).toBeCloseTo(1, 12);
    expect(r.ap[10]).toBe(0);
    const m = computeMetrics(stats, NAMES, 1);
    expect(m.map50).toBeCloseTo(0.5, 12);
    expect(m.classes.map((c) => [c.name, c.labels])).toEqual([['a', 1], ['b', 1]]);
  });
  it('no correct prediction at all → every mean is 0 (as the original)', () => {
    const m = computeMetrics(
      { correct: new Uint8Array(10), conf: Float32Array.of(0.5), predCls: Int32Array.of(0), targetCls: Int32Array.of(0) },
      NAMES,
      1,
    );
    expect([m.precision, m.recall, m.map50, m.map75, m.map50_95]).toEqual([0, 0, 0, 0, 0]);
  });
  it('no labels and no predictions → zeros, no classes', () => {
    const m = computeMetrics({ correct: new Uint8Array(0), conf: new Float32Array(0), predCls: new Int32Array(0), targetCls: new Int32Array(0) }, NAMES, 3);
    expect(m.map50).toBe(0);
    expect(m.classes).toEqual([]);
  });
  it('map75 is index 5 (IoU 0.75), map80Seed index 6; fitness defaults to map75', () => {
    // correct up to IoU 0.75 exactly (6 thresholds)
    const correct = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    const m = computeMetrics({ correct, conf: Float32Array.of(0.9), predCls: Int32Array.of(0), targetCls: Int32Array.of(0) }, NAMES, 1);
    expect(m.map75).toBeCloseTo(1, 12);
    expect(m.map80Seed).toBe(0);
    expect(fitness(m)).toBe(m.map75);
    expect(fitness(m, 'map80_seed')).toBe(0);
    expect(fitness(m, { map50: 0.1, map50_95: 0.9 })).toBeCloseTo(0.1 * m.map50 + 0.9 * m.map50_95, 12);
    const table = formatMetricsTable(m);
    expect(table.split('\n')[0]).toBe(
      '               Class      Images      Labels           P           R      mAP@.5     mAP@.75  mAP@.80(s)  mAP@.5:.95',
    );
    expect(table.split('\n')[1]).toMatch(/^ {17}all {11}1 {11}1 {11}1 {11}1 {11}1 {11}1 {11}0 {9}0\.6$/);
  });
});

describe('formatG3 (Python %.3g)', () => {
  it.each([
    [0, '0'], [1, '1'], [0.35299572, '0.353'], [0.1, '0.1'], [0.012345, '0.0123'], [0.00012345, '0.000123'],
    [0.000012345, '1.23e-05'], [123.4, '123'], [1234.5, '1.23e+03'], [0.9996, '1'], [0.5, '0.5'],
  ])('%s → %s', (v, s) => expect(formatG3(v)).toBe(s));
});
