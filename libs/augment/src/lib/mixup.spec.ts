import { describe, expect, it } from 'vitest';
import { Rng, createImage } from '@vigil/core';
import { mixup, mixupWithRatio } from './mixup.js';

describe('mixup', () => {
  const a = { image: createImage(4, 2, 3, 200), labels: Float32Array.of(0, 1, 1, 3, 2) };
  const b = { image: createImage(4, 2, 3, 11), labels: Float32Array.of(5, 0, 0, 2, 2, 6, 1, 0, 4, 1) };

  it('blends with truncation like astype(uint8) and concatenates labels (a first)', () => {
    const out = mixupWithRatio(a, b, 0.3);
    expect(out.image.data[0]).toBe(Math.trunc(200 * 0.3 + 11 * 0.7)); // 67.7 → 67
    expect(Array.from(out.labels)).toEqual([0, 1, 1, 3, 2, 5, 0, 0, 2, 2, 6, 1, 0, 4, 1]);
  });

  it('draws r ~ Beta(8,8): mean 0.5, values inside the two images', () => {
    const rng = new Rng(4);
    let sum = 0;
    for (let i = 0; i < 400; i++) {
      const v = mixup(a, b, rng).image.data[0]!;
      expect(v).toBeGreaterThanOrEqual(11);
      expect(v).toBeLessThanOrEqual(200);
      sum += v;
    }
    expect(sum / 400).toBeGreaterThan(100);
    expect(sum / 400).toBeLessThan(110);
  });

  it('rejects images of different shapes', () => {
    expect(() => mixupWithRatio(a, { image: createImage(3, 2, 3), labels: new Float32Array(0) }, 0.5)).toThrow(/same shape/);
  });
});
