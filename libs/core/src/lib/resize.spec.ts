import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resizeArea } from './resize-area.js';
import { resizeBilinear } from './resize-bilinear.js';

interface Case { interp: 'area' | 'linear'; h: number; w: number; c: 1 | 3; dh: number; dw: number; src: string; out: string }
const golden = JSON.parse(readFileSync(new URL('./fixtures/resize-golden.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('resizeArea (cv2 INTER_AREA) and resizeBilinear (cv2 INTER_LINEAR)', () => {
  for (const k of golden.cases) {
    it(`${k.interp}: ${k.w}×${k.h}×${k.c} → ${k.dw}×${k.dh} matches cv2 exactly`, () => {
      const src = { data: new Uint8Array(Buffer.from(k.src, 'base64')), width: k.w, height: k.h, channels: k.c };
      const want = new Uint8Array(Buffer.from(k.out, 'base64'));
      const got = (k.interp === 'area' ? resizeArea : resizeBilinear)(src, k.dw, k.dh);
      expect([got.width, got.height, got.channels]).toEqual([k.dw, k.dh, k.c]);
      let maxDiff = 0;
      let exact = 0;
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(got.data[i]! - want[i]!);
        maxDiff = Math.max(maxDiff, d);
        if (d === 0) exact++;
      }
      expect(maxDiff).toBe(0);
      expect(exact).toBe(want.length);
    });
  }

  it('returns a copy when the size does not change and enlarges bilinearly', () => {
    const src = { data: Uint8Array.from([0, 100, 200, 50]), width: 2, height: 2, channels: 1 as const };
    const same = resizeArea(src, 2, 2);
    expect(Array.from(same.data)).toEqual([0, 100, 200, 50]);
    expect(same.data).not.toBe(src.data);
    expect(resizeArea(src, 4, 4).width).toBe(4);
  });
});
