import { describe, expect, it } from 'vitest';
import { splitTrainVal } from './split.js';

describe('splitTrainVal', () => {
  it('is seeded, disjoint, complete and ordered', () => {
    const a = splitTrainVal(1000, 100, 100);
    expect(a).toEqual(splitTrainVal(1000, 100, 100));
    expect(a.val).toHaveLength(100);
    expect(a.note).toBeUndefined();
    expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(a.val).toEqual([...a.val].sort((x, y) => x - y));
    expect(splitTrainVal(1000, 100, 101).val).not.toEqual(a.val);
  });

  it('caps the validation share for small sets and says so', () => {
    const s = splitTrainVal(300, 20000, 1);
    expect(s.val).toHaveLength(60);
    expect(s.note).toBe('validation count 20000 capped to 60 (20 % of 300 images)');
    expect(splitTrainVal(300, 20000, 1, 0.5).val).toHaveLength(150);
  });

  it('handles empty and zero cases; rejects a negative count', () => {
    expect(splitTrainVal(0, 5, 1)).toMatchObject({ train: [], val: [] });
    expect(splitTrainVal(10, 0, 1)).toMatchObject({ val: [], train: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    expect(() => splitTrainVal(10, -1, 1)).toThrow(/--val-count must be a non-negative integer/);
  });
});
