import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createImage } from '@vigil/core';
import { formulaImage, golden } from './fixtures/golden.js';
import { cvRound, invert3x3, invertAffine, warpAffine, warpPerspective } from './warp.js';

describe('warps at training size vs cv2 (1280² canvas → 640², bit-exact)', () => {
  const big = formulaImage(1280);
  for (const [k, c] of golden.warp640.entries()) {
    it(`case ${k}: ${c.perspective ? 'warpPerspective' : c.matrix[1] === 0 ? 'warpAffine, scale + translate' : 'warpAffine, rotate + shear'}`, () => {
      const out = c.perspective ? warpPerspective(big, c.matrix, 640, 640) : warpAffine(big, c.matrix.slice(0, 6), 640, 640);
      expect(createHash('sha256').update(out.data).digest('hex')).toBe(c.sha256);
    });
  }
});

describe('warp helpers', () => {
  it('cvRound rounds half to even and saturates to int32', () => {
    expect([cvRound(0.5), cvRound(1.5), cvRound(-0.5), cvRound(-1.5), cvRound(2.4999), cvRound(-2.6)]).toEqual([0, 2, 0, -2, 2, -3]);
    expect(cvRound(1e12)).toBe(2147483647);
    expect(cvRound(-1e12)).toBe(-2147483648);
  });

  it('inverts affine and 3×3 matrices', () => {
    const m = [2, 0.5, 3, -0.25, 1.5, -4];
    const inv = invertAffine(m);
    // inv ∘ m = identity on a point
    const [x, y] = [7, -2];
    const u = m[0]! * x + m[1]! * y + m[2]!;
    const v = m[3]! * x + m[4]! * y + m[5]!;
    expect(inv[0]! * u + inv[1]! * v + inv[2]!).toBeCloseTo(x, 12);
    expect(inv[3]! * u + inv[4]! * v + inv[5]!).toBeCloseTo(y, 12);
    const p = invert3x3([1, 2, 3, 0, 1, 4, 5, 6, 0]);
    expect(Array.from(p)).toEqual([-24, 18, 5, 20, -15, -4, -5, 4, 1]);
    expect(Array.from(invert3x3([1, 2, 3, 2, 4, 6, 0, 0, 1]))).toEqual(new Array(9).fill(0)); // singular → zeros, like cv2
    expect(Array.from(invertAffine([0, 0, 1, 0, 0, 2])).every((v) => v === 0)).toBe(true); // singular → zeros
  });

  it('fills everything outside the source with the border value', () => {
    const src = createImage(4, 4, 1, 200);
    const out = warpAffine(src, [1, 0, 100, 0, 1, 0], 6, 3, 114);
    expect(Array.from(out.data)).toEqual(new Array(18).fill(114));
  });

  it('rejects bad sizes and border values', () => {
    const src = createImage(4, 4, 3);
    expect(() => warpAffine(src, [1, 0, 0, 0, 1, 0], 0, 3)).toThrow(/positive integers/);
    expect(() => warpAffine(src, [1, 0, 0, 0, 1, 0], 3, 3, 300)).toThrow(/border value/);
  });
});
