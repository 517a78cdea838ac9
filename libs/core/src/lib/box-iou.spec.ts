import { describe, expect, it } from 'vitest';
import { boxIou, iouPair } from './box-iou.js';

describe('boxIou', () => {
  it('computes the pairwise matrix', () => {
    const a = [0, 0, 10, 10, 5, 5, 15, 15];
    const b = [0, 0, 10, 10, 10, 10, 20, 20, 0, 0, 5, 10];
    const m = boxIou(a, b);
    expect(m.length).toBe(6);
    expect(m[0]).toBe(1);
    expect(m[1]).toBe(0); // touching corners
    expect(m[2]).toBeCloseTo(0.5, 12);
    expect(m[3]).toBeCloseTo(25 / 175, 12);
    expect(m[4]).toBeCloseTo(25 / 175, 12);
    expect(m[5]).toBeCloseTo(0, 12);
  });
  it('handles empty sets and degenerate boxes', () => {
    expect(boxIou([], [0, 0, 1, 1]).length).toBe(0);
    expect(boxIou([1, 1, 1, 1], [1, 1, 1, 1])[0]).toBe(0);
  });
  it('identical boxes give 1 and the pair form agrees', () => {
    expect(iouPair(1, 2, 3, 4, 1, 2, 3, 4)).toBe(1);
    expect(iouPair(0, 0, 10, 10, 5, 0, 15, 10)).toBeCloseTo(50 / 150, 12);
  });
});
