import { describe, expect, it } from 'vitest';
import { Rng, createImage, type LabeledImage } from '@vigil/core';
import { compareBytes, golden, goldenImage } from './fixtures/golden.js';
import { drawMosaicCenter, mosaic4, mosaicBorder, mosaicCanvas, mosaicSample, pickMosaicIndices } from './mosaic.js';
import { applyPerspective } from './random-perspective.js';

describe('mosaic vs the original load_mosaic with the same draws', () => {
  for (const [k, c] of golden.mosaic.entries()) {
    it(`case ${k}: s=${c.s}, centre (${c.xc}, ${c.yc})`, () => {
      const tiles: LabeledImage[] = c.tiles.map((t) => ({ image: goldenImage(t.image, t.width, t.height, 3), labels: Float32Array.from(t.labels) }));
      const canvas = mosaicCanvas(tiles, c.s, c.xc, c.yc);
      const out = applyPerspective(canvas, c.params, mosaicBorder(c.s), false);
      expect([out.image.width, out.image.height]).toEqual([c.s, c.s]);
      expect(compareBytes(out.image.data, goldenImage(c.out, c.s, c.s, 3).data)).toEqual({ maxDiff: 0, differing: 0 });
      expect(out.labels.length).toBe(c.outLabels.length);
      expect(out.labels.length).toBeGreaterThan(0);
      for (let i = 0; i < c.outLabels.length; i++) expect(out.labels[i]).toBeCloseTo(c.outLabels[i]!, 3);
    });
  }
});

function tile(w: number, h: number, value: number, labels: number[] = []): LabeledImage {
  return { image: createImage(w, h, 3, value), labels: Float32Array.from(labels) };
}

/** An Rng stand-in whose uniform() returns the original's recorded draws (only uniform is used by mosaic4). */
function replay(values: number[]): Rng {
  const queue = [...values];
  return { uniform: () => queue.shift()! } as unknown as Rng;
}

describe('mosaic4 / mosaicSample (scratch canvas built only where the warp reads) vs load_mosaic', () => {
  const keys = ['perspectiveX', 'perspectiveY', 'angle', 'scale', 'shearX', 'shearY', 'translateX', 'translateY'] as const;
  for (const [k, c] of golden.mosaic.entries()) {
    it(`case ${k}`, () => {
      const tiles: LabeledImage[] = c.tiles.map((t) => ({ image: goldenImage(t.image, t.width, t.height, 3), labels: Float32Array.from(t.labels) }));
      const hyp = { degrees: 1, translate: 1, scale: 1, shear: 1, perspective: 0 };
      const draws = () => replay([c.yc + 0.5, c.xc + 0.5, ...keys.map((key) => c.params[key])]);
      const expected = goldenImage(c.out, c.s, c.s, 3).data;
      const noise = tiles.map((t) => ({ image: { ...t.image, data: t.image.data.map((_, i) => (i * 97) & 255) }, labels: t.labels }));
      for (let run = 0; run < 2; run++) {
        // The second run reuses a scratch canvas left dirty by an unrelated mosaic: only the read region is rebuilt.
        if (run === 1) mosaic4(noise, c.s, new Rng(99), { degrees: 30, translate: 0.4, scale: 0.9, shear: 5, perspective: 0 });
        const out = mosaic4(tiles, c.s, draws(), hyp);
        expect(compareBytes(out.image.data, expected)).toEqual({ maxDiff: 0, differing: 0 });
        for (let i = 0; i < c.outLabels.length; i++) expect(out.labels[i]).toBeCloseTo(c.outLabels[i]!, 3);
      }
      // Grey shortcut on grey tiles equals channel 0 of the RGB result.
      const greyTiles = tiles.map((t) => {
        const d = t.image.data.slice();
        for (let i = 0; i < d.length; i += 3) d.fill(d[i]!, i, i + 3);
        return { image: { ...t.image, data: d }, labels: t.labels };
      });
      const rgb = mosaic4(greyTiles, c.s, draws(), hyp);
      const one = mosaicSample(greyTiles, c.s, draws(), hyp, true);
      expect(one.image.channels).toBe(1);
      for (let i = 0; i < one.image.data.length; i++) if (one.image.data[i] !== rgb.image.data[i * 3]) throw new Error(`pixel ${i} differs`);
      expect(one.labels).toEqual(rgb.labels);
    });
  }
});

describe('mosaicCanvas', () => {
  it('places the 4 tiles around the centre and fills the rest with 114', () => {
    const tiles = [tile(10, 8, 1), tile(6, 10, 2), tile(10, 10, 3), tile(4, 4, 4)];
    const { image } = mosaicCanvas(tiles, 10, 12, 9);
    const at = (x: number, y: number) => image.data[(y * 20 + x) * 3]!;
    expect([image.width, image.height]).toEqual([20, 20]);
    expect(at(2, 1)).toBe(1); // top-left tile ends at (xc, yc) = (12, 9): spans x 2–11, y 1–8
    expect(at(1, 1)).toBe(114);
    expect(at(11, 8)).toBe(1);
    expect(at(12, 0)).toBe(2); // top-right tile: x 12–17, y 0–8 (cropped at the top)
    expect(at(18, 0)).toBe(114);
    expect(at(11, 9)).toBe(3); // bottom-left: x 2–11, y 9–18
    expect(at(12, 9)).toBe(4); // bottom-right: x 12–15, y 9–12
    expect(at(16, 13)).toBe(114);
  });

  it('shifts labels by each tile offset and clips them to [0, 2s]', () => {
    const tiles = [tile(10, 8, 1, [0, 0, 0, 10, 8]), tile(6, 10, 2, [1, 1, 1, 5, 9]), tile(10, 10, 3), tile(4, 4, 4, [6, 0, 0, 4, 4])];
    const { labels } = mosaicCanvas(tiles, 10, 12, 9);
    // tile 1: placed at x 12, its rows 1–9 land at y 0–8 → shift (+12, −1).
    expect(Array.from(labels)).toEqual([0, 2, 1, 12, 9, 1, 13, 0, 17, 8, 6, 12, 9, 16, 13]);
  });

  it('rejects the wrong number of tiles and mixed channel counts', () => {
    expect(() => mosaicCanvas([tile(4, 4, 0)], 4, 4, 4)).toThrow(/4 images/);
    const grey = { image: createImage(4, 4, 1), labels: new Float32Array(0) };
    expect(() => mosaicCanvas([tile(4, 4, 0), grey, tile(4, 4, 0), tile(4, 4, 0)], 4, 4, 4)).toThrow(/channels/);
  });
});

describe('mosaic4', () => {
  it('centre ~ U(s/2, 3s/2), integer', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 500; i++) {
      const { xc, yc } = drawMosaicCenter(640, rng);
      for (const v of [xc, yc]) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(320);
        expect(v).toBeLessThan(960);
      }
    }
    expect(mosaicBorder(640)).toBe(-320);
    expect(mosaicBorder(33)).toBe(-17); // Python's -33 // 2
  });

  it('outputs s × s and is deterministic by seed', () => {
    const tiles = [tile(32, 24, 10, [0, 2, 2, 20, 20]), tile(24, 32, 20, [1, 1, 1, 20, 30]), tile(32, 32, 30), tile(16, 32, 40, [2, 0, 0, 16, 32])];
    const hyp = { degrees: 0, translate: 0.1, scale: 0.5, shear: 0, perspective: 0 };
    const a = mosaic4(tiles, 32, new Rng(7), hyp);
    const b = mosaic4(tiles, 32, new Rng(7), hyp);
    expect([a.image.width, a.image.height, a.image.channels]).toEqual([32, 32, 3]);
    expect(a.image.data).toEqual(b.image.data);
    expect(a.labels).toEqual(b.labels);
  });

  it('picks the sample itself plus 3 indices with replacement from the whole dataset', () => {
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const idx = pickMosaicIndices(5, 10, rng);
      expect(idx[0]).toBe(5);
      for (const j of idx.slice(1)) {
        expect(j).toBeGreaterThanOrEqual(0);
        expect(j).toBeLessThan(10);
        seen.add(j);
      }
    }
    expect(seen.size).toBe(10);
    expect(() => pickMosaicIndices(0, 0, rng)).toThrow(/positive/);
  });
});
