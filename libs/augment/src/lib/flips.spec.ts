import { describe, expect, it } from 'vitest';
import { Rng, createImage, type LabeledImage } from '@vigil/core';
import { fliplr, flipud, randomFlips, randomFlipsInPlace } from './flips.js';

function sample(channels: 1 | 3): LabeledImage {
  const image = createImage(5, 3, channels);
  for (let i = 0; i < image.data.length; i++) image.data[i] = i;
  return { image, labels: Float32Array.of(2, 1, 0.5, 3, 2, 4, 0, 0, 5, 3) };
}

describe('flips', () => {
  it('fliplr mirrors columns (RGB order kept) and maps x → W − x', () => {
    const s = sample(3);
    const out = fliplr(s);
    expect(Array.from(out.image.data.subarray(0, 6))).toEqual([12, 13, 14, 9, 10, 11]);
    expect(Array.from(out.labels)).toEqual([2, 2, 0.5, 4, 2, 4, 0, 0, 5, 3]);
    expect(fliplr(out).image.data).toEqual(s.image.data);
    expect(s.image.data[0]).toBe(0); // input untouched
  });

  it('flipud mirrors rows and maps y → H − y (1 channel)', () => {
    const s = sample(1);
    const out = flipud(s);
    expect(Array.from(out.image.data.subarray(0, 5))).toEqual([10, 11, 12, 13, 14]);
    expect(Array.from(out.labels)).toEqual([2, 1, 1, 3, 2.5, 4, 0, 0, 5, 3]);
    expect(flipud(out).labels).toEqual(s.labels);
  });

  it('flips empty labels', () => {
    const s = { image: createImage(4, 4, 3), labels: new Float32Array(0) };
    expect(fliplr(s).labels.length).toBe(0);
    expect(flipud(s).labels.length).toBe(0);
  });

  it('randomFlips follows the probabilities: 0 never, 1 always, 0.5 about half', () => {
    const s = sample(3);
    const rng = new Rng(3);
    expect(randomFlips(s, { flipud: 0, fliplr: 0 }, rng)).toBe(s);
    expect(randomFlips(s, { flipud: 1, fliplr: 1 }, rng).image.data).toEqual(flipud(fliplr(s)).image.data);
    let flipped = 0;
    for (let i = 0; i < 2000; i++) if (randomFlips(s, { flipud: 0, fliplr: 0.5 }, rng) !== s) flipped++;
    expect(flipped).toBeGreaterThan(900);
    expect(flipped).toBeLessThan(1100);
  });
});

describe('randomFlipsInPlace', () => {
  it('gives the same pixels, labels and draws as randomFlips (odd and even sizes, 1 and 3 channels)', () => {
    for (const [w, h, cn] of [[5, 3, 3], [4, 4, 1], [7, 6, 3]] as const) {
      const image = createImage(w, h, cn);
      for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) & 255;
      const s = { image, labels: Float32Array.of(1, 0.5, 1, 2, 2.5) };
      for (let seed = 0; seed < 8; seed++) {
        const a = randomFlips(s, { flipud: 0.5, fliplr: 0.5 }, new Rng(seed));
        const copy = { image: { ...image, data: image.data.slice() }, labels: s.labels };
        const rb = new Rng(seed);
        const b = randomFlipsInPlace(copy, { flipud: 0.5, fliplr: 0.5 }, rb);
        expect(b.image.data).toEqual(a.image.data);
        expect(b.labels).toEqual(a.labels);
        expect(b.image.data).toBe(copy.image.data);
      }
    }
  });
});
