import { describe, expect, it } from 'vitest';
import { Rng } from '@vigil/core';
import { compareBytes, golden, goldenImage } from './fixtures/golden.js';
import { drawPerspectiveParams, perspectiveMatrix } from './perspective-matrix.js';
import { applyPerspective, randomPerspective, transformLabels } from './random-perspective.js';

describe('perspectiveMatrix (golden: the original M = T·S·R·P·C)', () => {
  for (const c of golden.perspective) {
    it(c.name, () => {
      const m = perspectiveMatrix(c.params, c.width, c.height, c.outWidth, c.outHeight);
      for (let i = 0; i < 9; i++) expect(m[i]).toBeCloseTo(c.matrix[i]!, 12);
    });
  }
});

describe('applyPerspective vs the original random_perspective with the same draws', () => {
  for (const c of golden.perspective) {
    it(c.name, () => {
      const img = goldenImage(c.image, c.width, c.height, c.channels);
      const out = applyPerspective({ image: img, labels: Float32Array.from(c.labels) }, c.params, c.border, c.perspective);
      expect([out.image.width, out.image.height, out.image.channels]).toEqual([c.outWidth, c.outHeight, c.channels]);
      const { maxDiff, differing } = compareBytes(out.image.data, goldenImage(c.out, c.outWidth, c.outHeight, c.channels).data);
      // Bit-exact with cv2.warpAffine / cv2.warpPerspective (same fixed-point scheme: 1/32 px, integer weights).
      expect({ maxDiff, differing }).toEqual({ maxDiff: 0, differing: 0 });
      expect(out.labels.length).toBe(c.outLabels.length);
      for (let i = 0; i < c.outLabels.length; i++) expect(out.labels[i]).toBeCloseTo(c.outLabels[i]!, 3);
    });
  }
});

describe('transformLabels', () => {
  it('keeps an empty [0,5] array empty', () => {
    expect(transformLabels(new Float32Array(0), [1, 0, 0, 0, 1, 0, 0, 0, 1], false, 10, 10, 1)).toEqual(new Float32Array(0));
  });

  it('translates one box and clips it to the output', () => {
    const m = [1, 0, 5, 0, 1, -2, 0, 0, 1];
    const out = transformLabels(Float32Array.of(6, 10, 1, 30, 20), m, false, 32, 32, 1);
    expect(Array.from(out)).toEqual([6, 15, 0, 32, 18]);
  });

  it('drops a box that leaves the image', () => {
    const m = [1, 0, 100, 0, 1, 0, 0, 0, 1];
    expect(transformLabels(Float32Array.of(0, 0, 0, 10, 10), m, false, 50, 50, 1).length).toBe(0);
  });

  it('rejects labels that are not [n,5]', () => {
    expect(() => transformLabels(new Float32Array(4), [1, 0, 0, 0, 1, 0, 0, 0, 1], false, 10, 10, 1)).toThrow(/\[n,5\]/);
  });
});

describe('randomPerspective', () => {
  const img = goldenImage(golden.perspective[0]!.image, golden.perspective[0]!.width, golden.perspective[0]!.height, 3);
  const labels = Float32Array.from(golden.perspective[0]!.labels);
  const hyp = { degrees: 10, translate: 0.1, scale: 0.5, shear: 2, perspective: 0 };

  it('is deterministic by seed and does not modify its input', () => {
    const before = img.data.slice();
    const a = randomPerspective({ image: img, labels }, hyp, 0, new Rng(5));
    const b = randomPerspective({ image: img, labels }, hyp, 0, new Rng(5));
    const c = randomPerspective({ image: img, labels }, hyp, 0, new Rng(6));
    expect(a.image.data).toEqual(b.image.data);
    expect(a.labels).toEqual(b.labels);
    expect(a.image.data).not.toEqual(c.image.data);
    expect(img.data).toEqual(before);
  });

  it('draws in the original order with the original ranges', () => {
    const p = drawPerspectiveParams({ degrees: 10, translate: 0.1, scale: 0.9, shear: 3, perspective: 0.001 }, new Rng(1));
    const r = new Rng(1);
    expect(p.perspectiveX).toBe(r.uniform(-0.001, 0.001));
    expect(p.perspectiveY).toBe(r.uniform(-0.001, 0.001));
    expect(p.angle).toBe(r.uniform(-10, 10));
    expect(p.scale).toBe(r.uniform(0.1, 1.9));
    expect(p.shearX).toBe(r.uniform(-3, 3));
    expect(p.shearY).toBe(r.uniform(-3, 3));
    expect(p.translateX).toBe(r.uniform(0.4, 0.6));
    expect(p.translateY).toBe(r.uniform(0.4, 0.6));
  });

  it('rejects a border that leaves nothing', () => {
    expect(() => randomPerspective({ image: img, labels }, hyp, -20, new Rng(1))).toThrow(/leaves no output/);
  });
});
