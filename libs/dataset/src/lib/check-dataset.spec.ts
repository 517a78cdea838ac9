import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBmp } from './bmp.js';
import { checkDataset, formatDatasetReport } from './check-dataset.js';
import { loadDatasetYaml } from './dataset-yaml.js';
import { loadImage } from './load-image.js';
import { YoloDataset } from './yolo-dataset.js';

const root = await mkdtemp(join(tmpdir(), 'vigil check '));
const ds = join(root, 'my pets');
const img = (split: string, name: string) => join(ds, 'images', split, name);
const lbl = (split: string, name: string) => join(ds, 'labels', split, name);
afterAll(() => rm(root, { recursive: true, force: true }));

/** Noise, so that every image has distinct bytes unless copied on purpose. */
const noise = (w: number, h: number, channels: 1 | 3 | 4, seed: number) =>
  Buffer.from(Uint8Array.from({ length: w * h * channels }, (_, i) => Math.imul(i + 1 + seed * 100003, 2654435761) >>> 24));

beforeAll(async () => {
  for (const s of ['train', 'val']) {
    await mkdir(join(ds, 'images', s), { recursive: true });
    await mkdir(join(ds, 'labels', s), { recursive: true });
  }
  // train: one good image of each format / colour layout, each with a label file
  const gray = await sharp(noise(40, 30, 1, 1), { raw: { width: 40, height: 30, channels: 1 } }).png().toBuffer();
  await writeFile(img('train', 'gray.png'), gray);
  await writeFile(img('train', 'colour.jpg'), await sharp(noise(64, 20, 3, 2), { raw: { width: 64, height: 20, channels: 3 } }).jpeg().toBuffer());
  await writeFile(img('train', 'alpha.webp'), await sharp(noise(24, 50, 4, 3), { raw: { width: 24, height: 50, channels: 4 } }).webp({ lossless: true }).toBuffer());
  await writeFile(img('train', 'paint.bmp'), encodeBmp(noise(33, 17, 3, 4), 33, 17, 3));
  await writeFile(img('train', 'alpha.bmp'), encodeBmp(noise(12, 12, 4, 5), 12, 12, 4));
  for (const n of ['gray', 'colour', 'alpha', 'paint']) await writeFile(lbl('train', `${n}.txt`), '1 0.5 0.5 0.25 0.5\n');
  await writeFile(lbl('train', 'alpha.txt'), '0 0.5 0.5 0.5 0.5\n0 0.5 0.5 0.5 0.5\n2 0.2 0.2 0 0.1\n'); // duplicate + zero-size rows
  // background images: no label file / empty label file
  await writeFile(img('train', 'empty room.png'), await sharp(noise(20, 20, 3, 6), { raw: { width: 20, height: 20, channels: 3 } }).png().toBuffer());
  await writeFile(img('train', 'no label.png'), await sharp(noise(20, 20, 3, 7), { raw: { width: 20, height: 20, channels: 3 } }).png().toBuffer());
  await writeFile(lbl('train', 'empty room.txt'), '');
  // broken images
  const jpeg = await sharp(noise(200, 200, 3, 8), { raw: { width: 200, height: 200, channels: 3 } }).jpeg().toBuffer();
  await writeFile(img('train', 'cut.jpg'), jpeg.subarray(0, jpeg.length >> 1)); // truncated: skipped
  await writeFile(lbl('train', 'cut.txt'), '0 0.5 0.5 0.5 0.5\n');
  await writeFile(img('train', 'garbage.jpg'), Buffer.from('this is not an image at all, just text'));
  await writeFile(img('train', 'anim.png'), await sharp(noise(20, 20, 3, 9), { raw: { width: 20, height: 20, channels: 3 } }).gif().toBuffer());
  await writeFile(img('train', 'tiny.png'), await sharp(noise(8, 30, 3, 10), { raw: { width: 8, height: 30, channels: 3 } }).png().toBuffer());
  await writeFile(img('train', 'notes.md'), 'readme');
  // broken label files (good images)
  const good = (seed: number) => sharp(noise(20, 20, 3, seed), { raw: { width: 20, height: 20, channels: 3 } }).png().toBuffer();
  const badLabels: [string, string][] = [
    ['cols', '0 0.5 0.5 0.5\n'],
    ['word', 'dog 0.5 0.5 0.5 0.5\n'],
    ['big', '0 0.5 0.5 1.5 0.5\n'],
    ['class3', '0 0.5 0.5 0.5 0.5\n3 0.5 0.5 0.1 0.1\n'],
  ];
  for (const [i, [n, text]] of badLabels.entries()) {
    await writeFile(img('train', `${n}.png`), await good(20 + i));
    await writeFile(lbl('train', `${n}.txt`), text);
  }
  // val: a copy of a train image (leak) and a duplicate within val
  await writeFile(img('val', 'same as train.png'), gray);
  await writeFile(lbl('val', 'same as train.txt'), '2 0.5 0.5 0.5 0.5\n');
  const v = await good(40);
  await writeFile(img('val', 'v1.png'), v);
  await writeFile(img('val', 'v2.png'), v);
  await writeFile(lbl('val', 'v1.txt'), '0 0.3 0.3 0.2 0.2\n');
  await writeFile(join(ds, 'pets.yaml'), `path: .\ntrain: images/train\nval: [images/val]\nnames: [cat, dog, bird]\n`);
});

describe('checkDataset', () => {
  it('reports every kind of problem once, skips only what cannot be used, counts background images', async () => {
    const config = await loadDatasetYaml(join(ds, 'pets.yaml'));
    const report = await checkDataset(config);
    const [train, val] = report.splits;
    expect(report).toMatchObject({ nc: 3, names: ['cat', 'dog', 'bird'], skipped: 8 });
    expect(train).toMatchObject({ split: 'train', images: 15, usable: 7, labelled: 5, background: 2, missingLabels: 1, emptyLabels: 1, boxes: 5 });
    // alpha.webp and alpha.bmp share the label name alpha.txt: duplicate + zero-size rows counted once per image
    expect(train!.classCounts).toEqual([2, 3, 0]);
    const issues = Object.fromEntries(Object.entries(train!.issues).map(([k, v]) => [k, v.count]));
    expect(issues).toEqual({
      'not an image': 1,
      'shared label file': 1,
      'damaged image': 1,
      'unreadable image': 1,
      'unsupported format': 1,
      'image too small': 1,
      'label: columns': 1,
      'label: non-numeric': 1,
      'label: out of range': 1,
      'label: class ≥ nc': 1,
      'zero-size box': 2,
      'duplicate label row': 2,
    });
    expect(train!.skippedFiles.map((f) => f.slice(img('train', '').length + 1)).sort()).toEqual(
      ['anim.png', 'big.png', 'class3.png', 'cols.png', 'cut.jpg', 'garbage.jpg', 'tiny.png', 'word.png'],
    );
    expect(train!.issues['label: class ≥ nc']!.examples[0]).toMatch(/class3\.txt: class id ≥ nc 3 \(line 2/);
    expect(train!.issues['unsupported format']!.examples[0]).toMatch(/anim\.png: gif content/);
    expect(val).toMatchObject({ images: 3, usable: 3, labelled: 2, background: 1, boxes: 2, classCounts: [1, 0, 1] });
    expect(report.duplicateImages).toHaveLength(2);
    const leak = report.duplicateImages.find((g) => g.acrossSplits)!;
    expect(leak.files.map((f) => f.split)).toEqual(['train', 'val']);

    const text = formatDatasetReport(report);
    expect(text).toContain(`Dataset check: ${join(ds, 'pets.yaml')} (nc=3: cat, dog, bird)`);
    expect(text).toMatch(/train\s+15\s+7\s+5\s+2 \(1\/1\)\s+5\s+8/);
    expect(text).toMatch(/train: label: class ≥ nc: 1 \(image skipped\)/);
    expect(text).toMatch(/train: damaged image: 1 \(image skipped: does not decode in full/);
    expect(text).toMatch(/cut\.jpg: truncated JPEG: the image data ends before the end-of-image marker/);
    expect(text).toMatch(/Duplicate images \(identical files, kept\): 2 groups, 2 extra copies, 1 groups across splits/);
    expect(text).toMatch(/note: class 2 \(bird\) has no boxes in train/);
    expect(text.trim().split('\n').at(-1)).toBe('8 images will be skipped; everything else is used.');
  });

  it('is consistent with the loader: with nc and the skipped files excluded, every usable image loads as RGB', async () => {
    const config = await loadDatasetYaml(join(ds, 'pets.yaml'));
    const report = await checkDataset(config, { splits: ['train'] });
    const dataset = await YoloDataset.open(config.train!, { imgSize: 32, nc: config.nc, exclude: report.splits[0]!.skippedFiles, cache: false });
    expect(dataset.length).toBe(report.splits[0]!.usable);
    expect(dataset.stats).toMatchObject({ corrupted: 0, duplicates: 2, zeroSize: 2, missing: 1 });
    // Without the exclusions the loader's header checks catch the label problems (class ≥ nc included) too.
    const plain = await YoloDataset.open(config.train!, { imgSize: 32, nc: config.nc, cache: false });
    expect(plain.stats.messages.join('\n')).toMatch(/class3\.txt: class id ≥ nc 3/);
    let n = 0;
    for await (const b of dataset.batches({ batchSize: 4 })) {
      expect(b.shape[3]).toBe(3);
      n += b.indices.length;
    }
    expect(n).toBe(dataset.length);
    for (const name of ['gray.png', 'colour.jpg', 'alpha.webp', 'paint.bmp', 'alpha.bmp', 'cut.jpg']) {
      const { image, w0, h0 } = await loadImage(img('train', name), 32);
      expect(image.channels).toBe(3);
      expect(image.data.length).toBe(image.width * image.height * 3);
      expect(Math.max(image.width, image.height)).toBe(32);
      expect([w0, h0]).not.toContain(0);
    }
  });

  it('stops with one line when a split names no images or a missing path', async () => {
    const empty = join(root, 'empty set');
    await mkdir(join(empty, 'images'), { recursive: true });
    await writeFile(join(empty, 'images', 'readme.md'), 'nothing');
    await writeFile(join(empty, 'd.yaml'), 'train: images\nval: nope\nnames: [a]\n');
    const config = await loadDatasetYaml(join(empty, 'd.yaml'));
    await expect(checkDataset(config, { splits: ['train'] })).rejects.toThrow(/d\.yaml: 'train:' \(.*empty set\/images\) holds no images/);
    await expect(checkDataset(config, { splits: ['val'] })).rejects.toThrow(/d\.yaml: 'val:' path not found/);
    await expect(checkDataset(config, { nc: 0 })).rejects.toThrow(/nc must be a whole number ≥ 1, got 0/);
  });

  it('loads BMP pixels exactly (no resize) and a BMP under a .png name', async () => {
    const px = noise(33, 17, 3, 4);
    const { image } = await loadImage(img('train', 'paint.bmp'), 33);
    expect(Buffer.from(image.data).equals(px)).toBe(true);
    const disguised = join(root, 'bmp named.png');
    await writeFile(disguised, encodeBmp(px, 33, 17, 3));
    expect(Buffer.from((await loadImage(disguised, 33)).image.data).equals(px)).toBe(true);
  });
});
