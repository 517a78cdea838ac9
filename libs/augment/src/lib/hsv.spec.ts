import { describe, expect, it } from 'vitest';
import { Rng, createImage } from '@vigil/core';
import { compareBytes, golden, goldenImage } from './fixtures/golden.js';
import { applyHsvGains, augmentHsv, drawHsvGains, hsvLuts } from './hsv.js';

describe('applyHsvGains vs the original augment_hsv (cv2 8-bit HSV round trip)', () => {
  for (const c of golden.hsv) {
    it(`gains ${c.gains.join(', ')}`, () => {
      const img = goldenImage(golden.hsvInput, 64, 51, 3);
      // The fixture injected U = g − 1 with gain 1, so r = (g − 1)·1 + 1: same float ops here.
      const gains = c.gains.map((g) => (g - 1) * 1 + 1) as [number, number, number];
      const out = applyHsvGains(img, gains);
      expect(compareBytes(out.data, goldenImage(c.out, 64, 51, 3).data)).toEqual({ maxDiff: 0, differing: 0 });
    });
  }
});

describe('hsvLuts', () => {
  it('hue wraps with a floor-mod at 180 (negative gains too), sat/val clip and truncate', () => {
    const { hue, sat, val } = hsvLuts([-0.3, 1.9, 0.55]);
    expect(hue[10]).toBe(177); // -3 mod 180
    expect(hue[0]).toBe(0);
    expect(sat[200]).toBe(255);
    expect(sat[100]).toBe(190);
    expect(val[101]).toBe(55); // 55.55 truncated
  });
});

describe('augmentHsv', () => {
  const grey = createImage(8, 4, 3, 0);
  for (let i = 0; i < grey.data.length; i += 3) grey.data.fill((i * 7) % 256, i, i + 3);

  it('skips entirely when all gains are 0 (Decision): identical copy, no draw', () => {
    const rng = new Rng(3);
    const state = rng.getState();
    const out = augmentHsv(grey, 0, 0, 0, rng);
    expect(out.data).toEqual(grey.data);
    expect(out.data).not.toBe(grey.data);
    expect(rng.getState()).toEqual(state);
  });

  it('keeps grey-in-RGB images grey and only applies the value gain', () => {
    const rng = new Rng(4);
    const out = augmentHsv(grey, 0.5, 0.7, 0.4, rng);
    const [, , gv] = drawHsvGains(0.5, 0.7, 0.4, new Rng(4));
    const { val } = hsvLuts([1, 1, gv]);
    for (let i = 0; i < out.data.length; i += 3) {
      expect(out.data[i]).toBe(out.data[i + 1]);
      expect(out.data[i]).toBe(out.data[i + 2]);
      expect(out.data[i]).toBe(val[grey.data[i]!]);
    }
  });

  it('1-channel images take the value LUT, same as grey-in-RGB', () => {
    const one = createImage(8, 4, 1);
    for (let i = 0; i < one.data.length; i++) one.data[i] = grey.data[i * 3]!;
    const a = augmentHsv(one, 0, 0, 0.4, new Rng(9));
    const b = augmentHsv(grey, 0, 0, 0.4, new Rng(9));
    for (let i = 0; i < a.data.length; i++) expect(a.data[i]).toBe(b.data[i * 3]);
  });

  it('is deterministic by seed and pure', () => {
    const img = goldenImage(golden.hsvInput, 64, 51, 3);
    const before = img.data.slice();
    expect(augmentHsv(img, 0.1, 0.5, 0.4, new Rng(1)).data).toEqual(augmentHsv(img, 0.1, 0.5, 0.4, new Rng(1)).data);
    expect(img.data).toEqual(before);
  });

  it('draws gains U(−1,1)·g + 1', () => {
    const rng = new Rng(12);
    for (let k = 0; k < 200; k++) {
      const [h, s, v] = drawHsvGains(0.015, 0.7, 0.4, rng);
      expect(Math.abs(h - 1)).toBeLessThanOrEqual(0.015);
      expect(Math.abs(s - 1)).toBeLessThanOrEqual(0.7);
      expect(Math.abs(v - 1)).toBeLessThanOrEqual(0.4);
    }
  });
});
