import { describe, expect, it } from 'vitest';
import { parseLabelText } from './label-file.js';

describe('parseLabelText', () => {
  it('keeps valid rows (float32-rounded), drops exact duplicates and zero-size boxes, counts empty text', () => {
    const r = parseLabelText('0 0.5 0.5 0.2 0.2\r\n\n1 0.1 0.1 0 0.3\n0 0.5 0.5 0.2 0.2\n2 0.3 0.3 0.1 0.1\n', 3);
    expect(r).toMatchObject({ rows: 4, duplicates: 1, zeroSize: 1, polygons: 0 });
    expect(r.problem).toBeUndefined();
    expect(r.labels).toEqual([0, ...Float32Array.from([0.5, 0.5, 0.2, 0.2]), 2, ...Float32Array.from([0.3, 0.3, 0.1, 0.1])]);
    expect(parseLabelText('  \n', 3)).toMatchObject({ rows: 0, labels: [] });
  });

  it('turns a polygon row into its box', () => {
    const r = parseLabelText('1 0.1 0.2 0.5 0.2 0.5 0.6 0.1 0.6\n');
    expect(r.polygons).toBe(1);
    expect(r.labels).toEqual(Array.from(Float32Array.from([1, 0.3, 0.4, 0.4, 0.4])));
  });

  it('reports the first bad row with its line and drops the whole file', () => {
    const bad = (text: string, kind: string, re: RegExp, nc?: number) => {
      const r = parseLabelText(text, nc);
      expect(r.problem?.kind).toBe(kind);
      expect(r.problem?.message).toMatch(re);
      expect(r.labels).toEqual([]);
    };
    bad('0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2\n', 'columns', /5 columns each \(got 4\) \(line 2: "0 0.5 0.5 0.2"\)/);
    bad('0 0.5 0.5 0.2 0.2 0.1 0.1 0.1 0.1 0.2\n', 'columns', /got 10 columns/);
    bad('car 0.5 0.5 0.2 0.2\n', 'non-numeric', /non-numeric/);
    bad('0 0.5 0.5 0.2 nan\n', 'non-numeric', /non-numeric/);
    bad('-1 0.5 0.5 0.2 0.2\n', 'negative', /negative/);
    bad('0 0.5 0.5 1.2 0.2\n', 'out of range', /out of bounds .*line 1/);
    bad('0.5 0.5 0.5 0.2 0.2\n', 'class not integer', /whole numbers/);
    bad('0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2 0.2\n', 'class ≥ nc', /class id ≥ nc 3 \(line 2/, 3);
    expect(parseLabelText('3 0.5 0.5 0.2 0.2\n').problem).toBeUndefined(); // no nc: no class check
  });
});
