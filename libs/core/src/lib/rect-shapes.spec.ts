import { describe, expect, it } from 'vitest';
import { rectBatchShapes } from './rect-shapes.js';

describe('rectBatchShapes', () => {
  it('sorts by h/w and gives each batch its padded stride-multiple shape', () => {
    const r = rectBatchShapes([[640, 480], [150, 240], [320, 240]], 2, 256, 64, 0.5);
    expect(r.order).toEqual([0, 2, 1]);
    // batch 0: ratios 0.75, 0.75 → [0.75, 1] → ceil(192/64 + .5)·64 = 256, ceil(4.5)·64 = 320
    // batch 1: ratio 1.6 → [1, 1/1.6] → 320, ceil(160/64 + .5)·64 = 192
    expect(r.batchShapes).toEqual([[256, 320], [320, 192]]);
  });
  it('takes a given order (e.g. NumPy argsort ties) and checks its length', () => {
    const r = rectBatchShapes([[10, 10], [10, 10], [10, 10]], 2, 64, 32, 0.5, [0, 2, 1]);
    expect(r.order).toEqual([0, 2, 1]);
    expect(() => rectBatchShapes([[10, 10]], 1, 64, 32, 0.5, [0, 1])).toThrow(/order has 2 entries for 1 images/);
  });
});
