import { describe, expect, it } from 'vitest';
import { boxCandidates } from './box-candidates.js';
import { golden } from './fixtures/golden.js';

describe('boxCandidates', () => {
  it('matches the original box_candidates (size, area ratio, aspect ratio, zero-area source)', () => {
    expect(boxCandidates(golden.candidates.before, golden.candidates.after)).toEqual(golden.candidates.keep);
  });

  it('uses strict thresholds: exactly 2 px wide is dropped, just over is kept', () => {
    expect(boxCandidates([0, 0, 2, 10], [0, 0, 2, 10])).toEqual([false]);
    expect(boxCandidates([0, 0, 2.01, 10], [0, 0, 2.01, 10])).toEqual([true]);
  });

  it('handles no boxes, and rejects mismatched inputs', () => {
    expect(boxCandidates([], [])).toEqual([]);
    expect(() => boxCandidates([0, 0, 1, 1], [])).toThrow(/same n/);
  });

  it('honours custom thresholds (the original uses area 0.01 for segments)', () => {
    expect(boxCandidates([0, 0, 100, 100], [0, 0, 5, 5])).toEqual([false]);
    expect(boxCandidates([0, 0, 100, 100], [0, 0, 11, 11], { areaThr: 0.01 })).toEqual([true]);
  });
});
