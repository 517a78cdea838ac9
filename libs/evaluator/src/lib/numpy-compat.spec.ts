import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { argsortNumpy, interpNumpy, linspaceNumpy, pairwiseSum, uniqueFirstIndex } from './numpy-compat.js';

const golden = JSON.parse(readFileSync(new URL('./fixtures/argsort.json', import.meta.url), 'utf8')) as {
  cases: { values: number[]; order: number[] }[];
};

describe('argsortNumpy', () => {
  it('reproduces NumPy 1.24 argsort (unstable quicksort) on tie-heavy float32 arrays', () => {
    expect(golden.cases.length).toBeGreaterThan(30);
    for (const c of golden.cases) expect(Array.from(argsortNumpy(Float32Array.from(c.values)))).toEqual(c.order);
  });
  it('is not stable on ties (NumPy order, not index order)', () => {
    const c = golden.cases.find((k) => k.values.length === 300 && new Set(k.values).size === 2)!;
    const stable = c.values.map((_, i) => i).sort((a, b) => c.values[a]! - c.values[b]! || a - b);
    expect(c.order).not.toEqual(stable);
  });
  it('sorts NaN last and falls back to heapsort without breaking the order', () => {
    const v = Float64Array.from({ length: 5000 }, (_, i) => (i * 7919) % 101);
    v[10] = NaN;
    const o = argsortNumpy(v);
    expect(o[o.length - 1]).toBe(10);
    for (let k = 1; k < o.length - 1; k++) expect(v[o[k - 1]!]! <= v[o[k]!]!).toBe(true);
  });
});

describe('interpNumpy', () => {
  it('handles left/right, exact hits and repeated xp like np.interp', () => {
    const xp = [0, 1, 1, 2];
    const fp = [0, 10, 20, 30];
    expect(Array.from(interpNumpy([-1, 0, 0.5, 1, 1.5, 2, 3], xp, fp, -5, 99))).toEqual([-5, 0, 5, 20, 25, 30, 99]);
    expect(Array.from(interpNumpy([-1, 3], xp, fp))).toEqual([0, 30]);
  });
});

describe('pairwiseSum / linspaceNumpy / uniqueFirstIndex', () => {
  it('sums like np.add.reduce (values checked against NumPy)', () => {
    // np.sum(np.arange(1, 201) * 0.1) == 2010.0, a plain left-to-right sum gives 2010.0000000000002
    const a = Float64Array.from({ length: 200 }, (_, i) => (i + 1) * 0.1);
    expect(pairwiseSum(a)).toBe(2010);
    expect(a.reduce((s, v) => s + v, 0)).toBe(2010.0000000000002);
    expect(pairwiseSum([])).toBe(0);
  });
  it('linspace ends exactly at stop', () => {
    const x = linspaceNumpy(0, 1, 101);
    expect(x[100]).toBe(1);
    expect(x[3]).toBe(3 * 0.01);
  });
  it('unique returns first occurrences ordered by value', () => {
    expect(Array.from(uniqueFirstIndex([3, 1, 3, 2, 1]))).toEqual([1, 3, 0]);
  });
});
