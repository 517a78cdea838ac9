import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES } from '@vigil/core';
import { scoreCompetitionFiles } from './scorer.js';
import type { MatchingMode } from './types.js';

interface Expected {
  map50: number;
  map75: number;
  map80_seed: number;
  map50_95: number;
  precision: number;
  recall: number;
  classes: Record<string, { ap: number[]; p: number; r: number; f1: number; ap50_95: number; labels: number }>;
  confusion?: number[][];
}

const read = (f: string) => readFileSync(new URL(f, import.meta.url), 'utf8');
const TOL = 1e-9;

// Golden values: fixtures/make-golden.py (the original's ap_per_class + its test loop, upstream process_batch).
describe.each(['a', 'b'])('fixture %s against the original (Python)', (name) => {
  const dir = `./fixtures/score-${name}/`;
  const expected = JSON.parse(read(`${dir}expected.json`)) as Record<MatchingMode, Expected>;
  const labels = { text: read(`${dir}labels.json`), file: 'labels.json' };
  const predictions = { text: read(`${dir}predictions.json`), file: 'predictions.json' };

  it.each(['seed', 'upstream-2021', 'upstream'] as const)('%s matching: every mAP and per-class AP within 1e-9', (mode) => {
    const exp = expected[mode];
    const { metrics: m } = scoreCompetitionFiles(labels, predictions, { matching: mode });
    expect(Math.abs(m.map50 - exp.map50)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(m.map75 - exp.map75)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(m.map80Seed - exp.map80_seed)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(m.map50_95 - exp.map50_95)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(m.precision - exp.precision)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(m.recall - exp.recall)).toBeLessThanOrEqual(TOL);
    expect(m.classes.map((c) => c.name)).toEqual(Object.keys(exp.classes));
    for (const c of m.classes) {
      const e = exp.classes[c.name]!;
      expect(c.labels).toBe(e.labels);
      c.ap.forEach((v, k) => expect(Math.abs(v - e.ap[k]!)).toBeLessThanOrEqual(TOL));
      expect(Math.abs(c.ap50_95 - e.ap50_95)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(c.precision - e.p)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(c.recall - e.r)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(c.f1 - e.f1)).toBeLessThanOrEqual(TOL);
    }
  });

  it('bit-exact with the original under seed matching', () => {
    const exp = expected.seed;
    const { metrics: m } = scoreCompetitionFiles(labels, predictions);
    expect([m.map50, m.map75, m.map80Seed, m.map50_95, m.precision, m.recall]).toEqual([
      exp.map50, exp.map75, exp.map80_seed, exp.map50_95, exp.precision, exp.recall,
    ]);
    for (const c of m.classes) expect(c.ap).toEqual(exp.classes[c.name]!.ap);
  });

  it('confusion matrix equals the original ConfusionMatrix', () => {
    const { confusion } = scoreCompetitionFiles(labels, predictions);
    const n1 = CLASS_NAMES.length + 1;
    const rows = Array.from({ length: n1 }, (_, r) => Array.from(confusion!.matrix.subarray(r * n1, (r + 1) * n1)));
    expect(rows).toEqual(expected.seed.confusion);
  });
});
