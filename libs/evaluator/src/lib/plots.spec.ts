import { readFileSync } from 'node:fs';
import { CLASS_NAMES } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { ConfusionMatrix } from './confusion-matrix.js';
import { curvesCsv, curvesJson, evaluationPlots } from './plots.js';
import { scoreCompetitionFiles } from './scorer.js';

const read = (f: string) => readFileSync(new URL(f, import.meta.url), 'utf8');

describe('plots', () => {
  const { metrics, confusion } = scoreCompetitionFiles(
    { text: read('./fixtures/score-a/labels.json'), file: 'labels.json' },
    { text: read('./fixtures/score-a/predictions.json'), file: 'predictions.json' },
  );
  it('describes the original four curves and the confusion matrix as charts with per-class legends', () => {
    const plots = evaluationPlots(metrics.curves, CLASS_NAMES, confusion);
    expect(Object.keys(plots)).toEqual(['PR_curve', 'F1_curve', 'P_curve', 'R_curve', 'confusion_matrix']);
    const series = (k: string) => ((plots[k]!['data'] as { values: { s: string }[] }).values).map((v) => v.s);
    const legend = (k: string) => [...new Set(series(k))];
    const face = metrics.classes.find((c) => c.name === 'face')!.ap50.toFixed(3);
    expect(legend('PR_curve')).toContain(`face ${face}`);
    expect(legend('PR_curve').at(-1)).toBe(`all classes ${metrics.map50.toFixed(3)} mAP@0.5`);
    expect(legend('PR_curve').some((l) => l.startsWith('cigar'))).toBe(false); // labels but no predictions: not drawn, as the original
    expect(legend('F1_curve').at(-1)).toMatch(/^all classes \d\.\d\d at \d\.\d{3}$/);
    // each line has the same (thinned) grid of points, all inside the unit square
    const counts = new Map<string, number>();
    for (const s of series('F1_curve')) counts.set(s, (counts.get(s) ?? 0) + 1);
    expect(new Set(counts.values())).toEqual(new Set([251]));
    const cmValues = (plots['confusion_matrix']!['data'] as { values: { t: string; p: string; v: number }[] }).values;
    expect(cmValues.some((v) => v.p === 'background FN')).toBe(true);
    expect(cmValues.every((v) => v.v >= 0.005 && v.v <= 1)).toBe(true);
    // columns (true classes) are normalised: each sums to 1 where it has values ≥ 0.005 only up to the blanks
    const col = (t: string) => cmValues.filter((v) => v.t === t).reduce((a, v) => a + v.v, 0);
    expect(col('face')).toBeGreaterThan(0.98);
    expect(col('face')).toBeLessThanOrEqual(1 + 1e-6);
    expect(JSON.stringify(plots['confusion_matrix'])).toContain('"scheme":"blues"');
  });
  it('above 20 classes the class lines are grey and only the mean has a legend entry (as the original)', () => {
    const names = Array.from({ length: 25 }, (_, i) => `c${i}`);
    const res = { ...metrics.curves, classes: Int32Array.from({ length: 25 }, (_, i) => i) };
    const n = metrics.curves.classes.length;
    const pick = (a: Float64Array) => Float64Array.from({ length: 25 * 1000 }, (_, k) => a[(Math.floor(k / 1000) % n) * 1000 + (k % 1000)]!);
    const many = { ...res, f1Curve: pick(metrics.curves.f1Curve), pCurve: pick(metrics.curves.pCurve), rCurve: pick(metrics.curves.rCurve) };
    const chart = evaluationPlots(many, names)['F1_curve']!;
    const color = (chart['encoding'] as { color: { scale: { range: string[] }; legend: { values?: string[] } } }).color;
    expect(color.scale.range.slice(0, 25).every((c) => c === '#808080')).toBe(true);
    expect(color.legend.values).toHaveLength(1);
    expect(color.legend.values![0]).toMatch(/^all classes/);
  });
  it('exports the curve numbers as CSV (1000 rows + header) and JSON', () => {
    const csv = curvesCsv(metrics.curves, CLASS_NAMES).trimEnd().split('\n');
    expect(csv.length).toBe(1001);
    expect(csv[0]!.split(',').length).toBe(1 + 4 * metrics.classes.length);
    const j = curvesJson(metrics.curves, CLASS_NAMES) as { classes: { name: string; f1: number[] }[] };
    expect(j.classes.map((c) => c.name)).toEqual(metrics.classes.map((c) => c.name));
    expect(j.classes[0]!.f1.length).toBe(1000);
  });
  it('confusion matrix CSV names the background row and column', () => {
    const cm = new ConfusionMatrix(2);
    cm.processBatch(
      { count: 2, boxes: Float32Array.of(0, 0, 10, 10, 50, 50, 60, 60), scores: Float32Array.of(0.9, 0.3), classes: Int32Array.of(1, 0) },
      { count: 2, boxes: Float32Array.of(0, 0, 10, 10, 20, 20, 30, 30), classes: Int32Array.of(0, 1) },
    );
    // label 0 matched by a class-1 detection; label 1 unmatched (background); detection 2 unmatched → background column
    expect(cm.toCsv(['a', 'b'])).toBe('predicted\\true,a,b,background\na,0,0,1\nb,1,0,0\nbackground,0,1,0\n');
  });
});
