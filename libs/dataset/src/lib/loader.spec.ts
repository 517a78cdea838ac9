import { mkdir, mkdtemp, rm, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, createImage } from '@vigil/core';
import type { LabeledImage } from '@vigil/core';
import { collateBatch } from './collate.js';
import { imageToLabelPath, listImageFiles } from './discover.js';
import { letterboxSample } from './letterbox.js';
import { loadImage } from './load-image.js';
import { epochSampleIndices } from './sampler.js';
import { YoloDataset } from './yolo-dataset.js';
import type { AugmentSample } from './yolo-dataset.js';

const root = await mkdtemp(join(tmpdir(), 'vigil loader '));
const imgDir = join(root, 'set a', 'images', 'train');
const lblDir = join(root, 'set a', 'labels', 'train');
afterAll(() => rm(root, { recursive: true, force: true }));

/** 5 images 64×48 (one grayscale, one in a subfolder), labels in YOLO format; one corrupted, one missing label. */
beforeAll(async () => {
  await mkdir(join(imgDir, 'sub'), { recursive: true });
  await mkdir(join(lblDir, 'sub'), { recursive: true });
  const rgb = (v: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r: v, g: v, b: v } } }).png().toBuffer();
  await writeFile(join(imgDir, 'a 1.png'), await rgb(200));
  await writeFile(join(imgDir, 'b.JPG'), await sharp({ create: { width: 64, height: 48, channels: 3, background: '#646464' } }).jpeg().toBuffer());
  await writeFile(join(imgDir, 'sub', 'c.png'), await sharp(Buffer.alloc(32 * 64, 50), { raw: { width: 32, height: 64, channels: 1 } }).toColourspace('b-w').png().toBuffer()); // a true 1-channel file
  await writeFile(join(imgDir, 'd.png'), await rgb(10));
  await writeFile(join(imgDir, 'e.png'), await rgb(20));
  await writeFile(join(imgDir, 'notes.txt'), 'not an image');
  await writeFile(join(lblDir, 'a 1.txt'), '4 0.5 0.5 0.5 0.5\n0 0.25 0.25 0.125 0.125\n');
  await writeFile(join(lblDir, 'b.txt'), '1 0.5 0.5 1 1\n1 0.5 0.5 1 1\n');
  await writeFile(join(lblDir, 'sub', 'c.txt'), '');
  await writeFile(join(lblDir, 'd.txt'), '2 0.5 0.5 1.5 0.2\n');
});

describe('discovery', () => {
  it('lists images recursively, sorted, any extension case; maps label paths', async () => {
    const files = await listImageFiles(imgDir);
    expect(files.map((f) => f.slice(imgDir.length + 1))).toEqual(['a 1.png', 'b.JPG', 'd.png', 'e.png', `sub${sep}c.png`]);
    expect(imageToLabelPath(join(imgDir, 'b.JPG'))).toBe(join(lblDir, 'b.txt'));
    expect(imageToLabelPath(`${sep}x${sep}images${sep}y${sep}images${sep}z.v1.jpg`)).toBe(`${sep}x${sep}labels${sep}y${sep}images${sep}z.v1.txt`);
    await expect(listImageFiles(join(root, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(listImageFiles(lblDir)).rejects.toThrow(/no images found/);
  });
});

describe('YoloDataset', () => {
  it('verifies labels, excludes corrupted ones, caches and invalidates the cache', async () => {
    const ds = await YoloDataset.open(imgDir, { imgSize: 64 });
    expect(ds.fromCache).toBe(false);
    expect(ds.cachePath).toBe(`${lblDir}.cache.json`);
    expect(ds.length).toBe(4);
    expect(ds.stats).toMatchObject({ found: 3, missing: 1, empty: 1, corrupted: 1, duplicates: 1 });
    expect(ds.stats.messages[0]).toMatch(/d\.txt: non-normalized or out of bounds/);
    expect(Array.from(ds.labels[0]!)).toEqual([4, 0.5, 0.5, 0.5, 0.5, 0, 0.25, 0.25, 0.125, 0.125]);
    expect(ds.shapes).toEqual([[64, 48], [64, 48], [64, 48], [32, 64]]);
    const again = await YoloDataset.open(imgDir, { imgSize: 64 });
    expect(again.fromCache).toBe(true);
    expect(again.labels).toEqual(ds.labels);
    await writeFile(join(lblDir, 'd.txt'), '2 0.5 0.5 1 0.2\n');
    await utimes(join(lblDir, 'd.txt'), new Date(), new Date(Date.now() + 5000));
    const fixed = await YoloDataset.open(imgDir, { imgSize: 64 });
    expect(fixed.fromCache).toBe(false);
    expect(fixed.length).toBe(5);
  });

  it('loads samples with pixel labels and letterboxes them', async () => {
    const ds = await YoloDataset.open(imgDir, { imgSize: 32 });
    const s = await ds.loadSample(0);
    expect([s.image.width, s.image.height, s.image.channels]).toEqual([32, 24, 3]);
    expect(Array.from(s.labels)).toEqual([4, 8, 6, 24, 18, 0, 6, 4.5, 10, 7.5]);
    expect(s.image.data[0]).toBe(200);
    const lb = await ds.loadLetterboxed(0);
    expect([lb.image.width, lb.image.height]).toEqual([32, 32]);
    expect(Array.from(lb.labels.slice(0, 5))).toEqual([4, 8, 10, 24, 22]);
    expect(lb.shapes).toEqual({ h0: 48, w0: 64, loadRatio: [0.5, 0.5], ratio: [1, 1], pad: [0, 4] });
    // The libvips border equals the pure letterbox on the loaded sample (pixels, labels, shapes), also for rect shapes.
    for (const [i, shape] of [[0, 32], [1, [24, 64]], [4, 32], [4, [40, 24]]] as const) {
      const fast = await ds.loadLetterboxed(i, shape as number | [number, number]);
      const pure = letterboxSample(await ds.loadSample(i), shape as number | [number, number], { auto: false, scaleup: false });
      expect([fast.image.width, fast.image.height]).toEqual([pure.image.width, pure.image.height]);
      expect(Buffer.from(fast.image.data).equals(Buffer.from(pure.image.data))).toBe(true);
      expect(fast.labels).toEqual(pure.labels);
      expect(fast.shapes.pad).toEqual(pure.pad);
    }
    // Grayscale image → RGB.
    const g = await ds.loadSample(4);
    expect([g.image.width, g.image.height, g.image.channels, g.image.data[0], g.image.data[1]]).toEqual([16, 32, 3, 50, 50]);
    // keepGrey: a grey file loads as 1 channel with the RGB load's values; colour files stay RGB.
    expect(ds.grey.map((g, i) => [i, g]).filter(([, g]) => g)).toEqual([[4, true]]);
    const g1 = await ds.loadSample(4, { keepGrey: true });
    expect([g1.image.width, g1.image.height, g1.image.channels]).toEqual([16, 32, 1]);
    expect(g1.image.data).toEqual(g.image.data.filter((_, k) => k % 3 === 0));
    expect(g1.labels).toEqual(g.labels);
    expect((await ds.loadSample(0, { keepGrey: true })).image.channels).toBe(3);
  });

  it('yields batches [B,H,W,3] in 0–1 with targets [n,6], prefetching, seeded augmentation', async () => {
    const ds = await YoloDataset.open(imgDir, { imgSize: 32, augment: true });
    const batches = [];
    for await (const b of ds.batches({ batchSize: 2, indices: [0, 1, 0], prefetch: 1 })) batches.push(b);
    expect(batches.map((b) => b.shape)).toEqual([[2, 32, 32, 3], [1, 32, 32, 3]]);
    const b0 = batches[0]!;
    expect(b0.numTargets).toBe(3);
    expect(Array.from(b0.targets.slice(0, 6))).toEqual([0, 4, 0.5, 0.5, 0.5, 0.375]);
    expect(Array.from(b0.targets.slice(12, 18))).toEqual([1, 1, 0.5, 0.5, 1, 0.75]);
    expect(b0.images[0]).toBeCloseTo(114 / 255, 6);
    expect(b0.images[(16 * 32 + 16) * 3]).toBeCloseTo(200 / 255, 6);
    expect(b0.files[1]!.endsWith('b.JPG')).toBe(true);
    // Augmentation: a flip that uses the generator; same seed → same result, independent of concurrency.
    const flip = async (p: AugmentSample, rng: Rng): Promise<LabeledImage> => {
      const s = await p.letterboxed();
      expect(s.index).toBe(p.index);
      const out = new Float32Array(s.labels);
      if (rng.chance(0.5)) for (let k = 0; k < out.length; k += 5) [out[k + 1], out[k + 3]] = [s.image.width - s.labels[k + 3]!, s.image.width - s.labels[k + 1]!];
      return { image: s.image, labels: out };
    };
    const run = async (concurrency: number) => {
      const out: number[] = [];
      for await (const b of ds.batches({ batchSize: 2, indices: [0, 0, 0, 0, 0, 0], augment: flip, seed: 3, concurrency })) out.push(...b.targets);
      return out;
    };
    const r1 = await run(1);
    expect(r1).toEqual(await run(4));
    const cx = r1.filter((_, i) => i % 6 === 2 && r1[i - 1] === 0);
    expect(new Set(cx).size).toBe(2); // some flipped, some not
  });

  it('recycles image arrays with reuseImages (same contents), and broadcasts 1-channel augment output', async () => {
    const ds = await YoloDataset.open(imgDir, { imgSize: 32, augment: true });
    const indices = [0, 1, 2, 3, 0, 1, 2, 3, 4, 0, 1, 2];
    const collect = async (reuseImages: boolean) => {
      const copies: Float32Array[] = [];
      const arrays = new Set<Float32Array>();
      for await (const b of ds.batches({ batchSize: 2, indices, prefetch: 1, reuseImages })) {
        copies.push(b.images.slice());
        arrays.add(b.images);
      }
      return { copies, arrays: arrays.size };
    };
    const fresh = await collect(false);
    const reused = await collect(true);
    expect(reused.copies).toEqual(fresh.copies);
    expect(fresh.arrays).toBe(6);
    expect(reused.arrays).toBeLessThan(6);
    // an augmentation that never asks for the letterboxed image and returns one channel
    const grey = (p: AugmentSample): LabeledImage => ({ image: { data: new Uint8Array(32 * 32).fill(p.index * 10), width: 32, height: 32, channels: 1 }, labels: new Float32Array(0) });
    for await (const b of ds.batches({ batchSize: 2, indices: [3, 4], augment: grey })) {
      expect(b.shape).toEqual([2, 32, 32, 3]);
      expect([b.images[0], b.images[2], b.images[32 * 32 * 3], b.images[2 * 32 * 32 * 3 - 1]]).toEqual([30, 30, 40, 40].map((v) => Math.fround(v / 255)));
    }
  });

  it('makes rectangular batches for validation', async () => {
    const ds = await YoloDataset.open(imgDir, { imgSize: 64 });
    const shapes: number[][] = [];
    for await (const b of ds.batches({ batchSize: 4, rect: { stride: 32 } })) shapes.push(b.shape);
    // h/w ratios: four 0.75 → ceil([0.75, 1]·64/32 + 0.5)·32 = [64, 96]; one 2.0 → ceil([1, 0.5]·2 + 0.5)·32 = [96, 64].
    expect(shapes).toEqual([[4, 64, 96, 3], [1, 96, 64, 3]]);
  });

  it('reports unreadable images as a user error', async () => {
    await expect(loadImage(join(root, 'missing.png'), 32)).rejects.toThrow(/cannot read image .*missing\.png/);
  });
});

describe('epochSampleIndices', () => {
  it('draws floor(n/parts) with replacement (original) or without', () => {
    const a = epochSampleIndices(100, 15, new Rng(1));
    expect(a).toHaveLength(6);
    expect(a.every((i) => Number.isInteger(i) && i >= 0 && i < 100)).toBe(true);
    expect(epochSampleIndices(100, 15, new Rng(1))).toEqual(a);
    const many = epochSampleIndices(50, 1, new Rng(2));
    expect(new Set(many).size).toBeLessThan(50); // repeats happen with replacement
    const b = epochSampleIndices(50, 1, new Rng(2), false);
    expect([...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochSampleIndices(3, 15, new Rng(1))).toEqual([]);
    expect(() => epochSampleIndices(3, 0, new Rng(1))).toThrow(/epoch_parts/);
  });
});

describe('collateBatch', () => {
  it('replicates grayscale, normalises boxes, rejects mixed sizes and empty input', () => {
    const g = createImage(4, 2, 1, 255);
    const b = collateBatch([{ image: g, labels: Float32Array.from([3, 0, 0, 2, 1]) }]);
    expect(b.shape).toEqual([1, 2, 4, 3]);
    expect(b.images.every((v) => v === 1)).toBe(true);
    expect(Array.from(b.targets)).toEqual([0, 3, 0.25, 0.25, 0.5, 0.5]);
    expect(() => collateBatch([{ image: g, labels: new Float32Array(0) }, { image: createImage(2, 2), labels: new Float32Array(0) }])).toThrow(/letterbox to one shape/);
    expect(() => collateBatch([])).toThrow(/at least one sample/);
  });
});
