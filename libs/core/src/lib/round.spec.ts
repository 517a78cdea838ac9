import { describe, expect, it } from 'vitest';
import { roundHalfEven } from './round.js';

describe("roundHalfEven (Python's round)", () => {
  it('rounds halves to even, others to nearest; 0 (not −0) for small negatives, as Python ints', () => {
    expect([0.5, 1.5, 2.5, 3.5, -1.5, -2.5, 2.4, 2.4999, 2.6, -2.6, 7, 212.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, -2, -2, 2, 2, 3, -3, 7, 212]);
    expect(Object.is(roundHalfEven(-0.5), 0)).toBe(true);
    expect(Object.is(roundHalfEven(-0.4), 0)).toBe(true);
    expect(Object.is(roundHalfEven(-0), 0)).toBe(true);
  });
});
