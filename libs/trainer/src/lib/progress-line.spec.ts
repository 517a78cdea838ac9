import { describe, expect, it } from 'vitest';
import { formatG, formatProgressLine, PROGRESS_HEADER } from './progress-line.js';
import { RESULTS_PANELS, resultsChart, resultsCsv, type ResultsRow } from './results.js';

describe('formatG (Python %g)', () => {
  it('matches Python for typical loss values, exponents and specials', () => {
    // python3 -c "print(['%.4g' % v for v in (0.1369, 0.01165, 0.185, 320, 12346, 0.00001234, 1e-5, 0, 2.5)])"
    const cases: [number, string][] = [[0.1369, '0.1369'], [0.01165, '0.01165'], [0.185, '0.185'], [320, '320'], [12346, '1.235e+04'], [0.00001234, '1.234e-05'], [1e-5, '1e-05'], [0, '0'], [2.5, '2.5']];
    for (const [v, s] of cases) expect(formatG(v)).toBe(s);
    expect(formatG(2.7449, 3)).toBe('2.74');
    expect(formatG(NaN)).toBe('nan');
    expect(formatG(Infinity)).toBe('inf');
  });
});

describe('progress line', () => {
  it("has the original's 8 columns of width 10", () => {
    expect(PROGRESS_HEADER).toBe('     Epoch       mem       box       obj       cls     total    labels  img_size');
    const line = formatProgressLine({ epoch: 3, epochs: 10, memGb: 2.7449, mloss: [0.1369, 0.01165, 0.03646, 0.185], labels: 32, imgSize: 320 });
    expect(line).toBe('       3/9     2.74G    0.1369   0.01165   0.03646     0.185        32       320');
  });
});

describe('results files', () => {
  const row = (epoch: number, map50: number): ResultsRow => ({
    epoch, box: 0.1, obj: 0.02, cls: 0.03, total: 0.15, labels: 10, imgSize: 320, precision: map50, recall: map50, map50, map75: map50 / 2, map50_95: map50 / 3, lr0: 0.01, lr1: 0.01, lr2: 0.01,
  });
  it('results.csv: header, full precision, blank cells for epochs without validation', () => {
    const csv = resultsCsv([row(0, NaN), row(1, 0.25)]);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('epoch,train/box_loss,train/obj_loss,train/cls_loss,train/total_loss,labels,img_size,metrics/precision,metrics/recall,metrics/mAP_0.5,metrics/mAP_0.75,metrics/mAP_0.5:0.95,x/lr0,x/lr1,x/lr2');
    expect(lines[1]).toBe('0,0.1,0.02,0.03,0.15,10,320,,,,,,0.01,0.01,0.01');
    expect(lines[2]).toBe('1,0.1,0.02,0.03,0.15,10,320,0.25,0.25,0.25,0.125,0.08333333333333333,0.01,0.01,0.01');
  });
  it('results chart: one panel per column, one point per epoch that has the value, own y range', () => {
    const rows = [row(0, NaN), row(1, 0.25), row(2, 0.5), row(3, 0.4)];
    const spec = resultsChart(rows, 'run <a>');
    const values = (spec['data'] as { values: { epoch: number; panel: string; value: number }[] }).values;
    const per = (panel: string) => values.filter((v) => v.panel === panel).map((v) => v.epoch);
    for (const [panel, key] of RESULTS_PANELS) expect(per(panel), panel).toEqual(['precision', 'recall', 'map50', 'map75', 'map50_95'].includes(key) ? [1, 2, 3] : [0, 1, 2, 3]);
    expect(values.every((v) => Number.isFinite(v.value))).toBe(true);
    expect(JSON.stringify(spec)).toContain('"independent"');
    // no rows / no validation: no NaN in the data, the metric panels are simply absent
    expect((resultsChart([])['data'] as { values: unknown[] }).values).toEqual([]);
    expect(JSON.stringify(resultsChart([row(0, NaN)]))).not.toMatch(/NaN|"value":null/);
  });
});
