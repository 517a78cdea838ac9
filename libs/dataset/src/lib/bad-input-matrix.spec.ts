/**
 * Bad-input matrix (issue 14) for the converter (`prepareData`, labels.json → YOLO) and for the dataset check
 * (`checkDataset`, the `--data <dataset.yaml>` path): every case names the file and the reason, every valid image and
 * box survives (counts asserted), nothing broken is written or used. Fixtures are made here, in code.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilUserError } from '@vigil/core';
import { encodeBmp } from './bmp.js';
import { checkDataset, formatDatasetReport } from './check-dataset.js';
import { loadDatasetYaml, datasetSources } from './dataset-yaml.js';
import { checkImageBytes, checkImageFile, checkImageFileSync, oneLine } from './image-check.js';
import { formatPrepareReport, prepareData } from './prepare-data.js';
import { YoloDataset } from './yolo-dataset.js';

const root = await mkdtemp(join(tmpdir(), 'vigil bad inputs '));
afterAll(() => rm(root, { recursive: true, force: true }));

/** Noise pixels: every fixture has distinct bytes. */
const noise = (w: number, h: number, c: number, seed: number) =>
  Buffer.from(Uint8Array.from({ length: w * h * c }, (_, i) => Math.imul(i + 1 + seed * 7919, 2654435761) >>> 24));
const raw = (w: number, h: number, seed: number, c: 1 | 3 = 3) => sharp(noise(w, h, c, seed), { raw: { width: w, height: h, channels: c } });

/** Offset just after a JPEG's first SOS segment (where the scan data starts). */
function scanStart(jpg: Buffer): number {
  let p = 2;
  for (;;) {
    const m = jpg[p + 1]!;
    const len = jpg.readUInt16BE(p + 2);
    if (m === 0xda) return p + 2 + len;
    p += 2 + len;
  }
}

/** A JPEG with three zero bytes after its first segment (APP0). */
function strayBytes(jpg: Buffer): Buffer {
  const end = 4 + jpg.readUInt16BE(4);
  return Buffer.concat([jpg.subarray(0, end), Buffer.alloc(3), jpg.subarray(end)]);
}

/** One image file of the matrix: its bytes and what the converter / the check must say about it. */
interface ImageCase {
  name: string;
  bytes: Buffer | Uint8Array;
  /** undefined = valid; else the converter's issue kind and a pattern of the reason. */
  bad?: { kind: 'unreadable image' | 'damaged image' | 'image too small'; reason: RegExp; check: string };
}

async function imageCases(): Promise<ImageCase[]> {
  const jpg = await raw(64, 48, 1).jpeg().toBuffer();
  const big = await raw(200, 150, 2).jpeg({ quality: 95 }).toBuffer();
  const png = await raw(40, 30, 3).png().toBuffer();
  const webp = await raw(40, 30, 4).webp().toBuffer();
  const bmp = Buffer.from(encodeBmp(noise(40, 30, 3, 5), 40, 30, 3));
  const progressive = await raw(64, 48, 6).jpeg({ progressive: true }).toBuffer();
  const exif = await raw(64, 48, 7)
    .jpeg()
    .withMetadata({ exif: { IFD0: { ImageDescription: 'x'.repeat(70000) } } })
    .toBuffer();
  return [
    { name: 'good.jpg', bytes: jpg },
    { name: 'big.jpg', bytes: big },
    { name: 'progressive.jpg', bytes: progressive },
    { name: 'exif 70k.jpg', bytes: exif },
    { name: 'grey.jpg', bytes: await raw(40, 30, 8, 1).jpeg().toBuffer() },
    { name: 'good png.png', bytes: png },
    { name: 'good webp.webp', bytes: webp },
    { name: 'good bmp.bmp', bytes: bmp },
    { name: 'good tif.tif', bytes: await raw(40, 30, 9).tiff().toBuffer() },
    { name: 'png inside.jpg', bytes: await raw(40, 30, 10).png().toBuffer() },
    { name: 'trailing data.jpg', bytes: Buffer.concat([await raw(64, 48, 11).jpeg().toBuffer(), Buffer.from('appended by a phone')]) },
    { name: 'ünïcode 名前 ✓.jpg', bytes: await raw(64, 48, 12).jpeg().toBuffer() },
    { name: 'two  spaces .jpg', bytes: await raw(64, 48, 13).jpeg().toBuffer() },
    { name: 'UPPER.JPG', bytes: await raw(64, 48, 14).jpeg().toBuffer() },
    // stray bytes between two header segments: libjpeg warns and decodes, so the structural walk defers to libvips
    { name: 'stray bytes.jpg', bytes: strayBytes(await raw(64, 48, 18).jpeg().toBuffer()) },
    // broken
    { name: 'truncated.jpg', bytes: big.subarray(0, big.length >> 1), bad: { kind: 'damaged image', reason: /truncated JPEG: the image data ends before the end-of-image marker/, check: 'damaged image' } },
    { name: 'header only.jpg', bytes: big.subarray(0, scanStart(big)), bad: { kind: 'damaged image', reason: /truncated JPEG/, check: 'damaged image' } },
    { name: 'cut in headers.jpg', bytes: big.subarray(0, 300), bad: { kind: 'damaged image', reason: /truncated JPEG: the file ends inside its headers/, check: 'damaged image' } },
    { name: 'no scan.jpg', bytes: Buffer.concat([big.subarray(0, 200), Buffer.from([0xff, 0xd9])]), bad: { kind: 'damaged image', reason: /JPEG/, check: 'damaged image' } },
    { name: 'zero bytes.jpg', bytes: Buffer.alloc(0), bad: { kind: 'unreadable image', reason: /empty file \(0 bytes\)/, check: 'unreadable image' } },
    { name: 'text.jpg', bytes: Buffer.from('this is not an image\n'), bad: { kind: 'unreadable image', reason: /unsupported image format/, check: 'unreadable image' } },
    { name: 'random.png', bytes: noise(500, 1, 1, 15), bad: { kind: 'unreadable image', reason: /unsupported image format/, check: 'unreadable image' } },
    { name: 'truncated png.png', bytes: png.subarray(0, png.length >> 1), bad: { kind: 'damaged image', reason: /truncated or corrupt PNG data, does not decode in full/, check: 'damaged image' } },
    { name: 'truncated webp.webp', bytes: webp.subarray(0, webp.length >> 1), bad: { kind: 'unreadable image', reason: /webp/, check: 'unreadable image' } },
    { name: 'truncated bmp.bmp', bytes: bmp.subarray(0, bmp.length >> 1), bad: { kind: 'damaged image', reason: /BMP/, check: 'damaged image' } },
    { name: 'gif inside.jpg', bytes: await raw(20, 20, 16).gif().toBuffer(), bad: { kind: 'unreadable image', reason: /gif content/, check: 'unsupported format' } },
    { name: 'tiny.jpg', bytes: await raw(8, 30, 17).jpeg().toBuffer(), bad: { kind: 'image too small', reason: /8×30 pixels \(< 10\)/, check: 'image too small' } },
  ];
}

describe('image validation (checkImageBytes / checkImageFileSync)', () => {
  it('the fast path and the full check agree on every case; reasons are one line', async () => {
    const dir = join(root, 'verdicts');
    await mkdir(dir);
    for (const c of await imageCases()) {
      const file = join(dir, c.name);
      await writeFile(file, c.bytes);
      const full = await checkImageFile(file);
      const fast = checkImageFileSync(file) ?? full;
      expect(fast, c.name).toEqual(full);
      expect(full.ok, c.name).toBe(!c.bad);
      if (!full.ok) {
        expect(full.reason, c.name).toMatch(c.bad!.reason);
        expect(full.reason).not.toMatch(/\n/);
      }
    }
    expect(await checkImageFile(join(dir, 'nope.jpg'))).toEqual({ ok: false, kind: 'unreadable', reason: 'cannot read the file (ENOENT)' });
    expect(checkImageFileSync(join(dir, 'nope.jpg'))).toEqual({ ok: false, kind: 'unreadable', reason: 'cannot read the file (ENOENT)' });
  });

  it('a JPEG cut at any byte after its headers is caught; the whole file passes', async () => {
    const big = await raw(120, 90, 20).jpeg({ progressive: true }).toBuffer();
    expect((await checkImageBytes(big)).ok).toBe(true);
    for (let n = 1; n < big.length - 1; n += 37) {
      const v = await checkImageBytes(big.subarray(0, n));
      expect(v.ok, `cut at ${n} of ${big.length}`).toBe(false);
    }
  });

  it('oneLine keeps the first line of libvips\' messages', () => {
    expect(oneLine('VipsJpeg: Premature end of JPEG file\nVipsJpeg: out of order read\nvips2png: unable to write\n')).toBe('VipsJpeg: Premature end of JPEG file');
    expect(oneLine('\n  only cause  \n')).toBe('only cause');
  });
});

const obj = (cls: string, position: unknown) => ({ class: cls, position });
const box = obj('face', [2, 2, 20, 20]);

describe('converter (prepareData) bad-input matrix', () => {
  const trainDir = join(root, 'task03_train');
  let cases: ImageCase[];
  beforeAll(async () => {
    cases = await imageCases();
    await mkdir(join(trainDir, 'images'), { recursive: true });
    for (const c of cases) await writeFile(join(trainDir, 'images', c.name), c.bytes);
    await writeFile(join(trainDir, 'images', 'lower.jpg'), await raw(64, 48, 30).jpeg().toBuffer());
    await writeFile(join(trainDir, 'images', 'orphan.jpg'), await raw(64, 48, 31).jpeg().toBuffer());
    await writeFile(join(trainDir, 'images', 'background a.jpg'), await raw(64, 48, 32).jpeg().toBuffer());
    await writeFile(join(trainDir, 'images', 'background b.jpg'), await raw(64, 48, 33).jpeg().toBuffer());
    await writeFile(join(trainDir, 'images', 'background c.jpg'), await raw(64, 48, 34).jpeg().toBuffer());
    await writeFile(join(trainDir, 'images', 'boxes.jpg'), await raw(64, 48, 35).jpeg().toBuffer());
    await symlink(join(trainDir, 'images', 'gone.jpg'), join(trainDir, 'images', 'dangling.jpg'));
    await mkdir(join(trainDir, 'images', 'folder.jpg'));
    const entries: unknown[] = cases.map((c) => ({ file_name: c.name, objects: [box] }));
    entries.push(
      { file_name: 'background a.jpg' }, // no objects key: background
      { file_name: 'background b.jpg', objects: null },
      { file_name: 'background c.jpg', objects: [] },
      {
        file_name: 'boxes.jpg',
        objects: [
          obj('face', [-5, -5, 10, 10]), // clipped
          obj('eye_opened', [60, 40, 80, 60]), // clipped
          obj('mouth_opened', [100, 100, 120, 120]), // outside: dropped
          obj('phone', [10, 10, 5, 20]), // x2 < x1: dropped
          obj('nose', [1, 1, 5, 5]), // unknown class
          obj('face', ['1', 1, 5, 5]), // strings
          obj('face', [1, 1, 5]), // 3 numbers
          { class: 7, position: [1, 1, 5, 5] }, // class not a name
          'face', // not an object
          obj('cigar', [1, 1, 5, 5]), // kept
        ],
      },
      { file_name: 'LOWER.jpg', objects: [box] }, // on disk as lower.jpg
      { file_name: 'not here.jpg', objects: [box] },
      { file_name: 'dangling.jpg', objects: [box] },
      { file_name: 'folder.jpg', objects: [box] },
      { file_name: 'good.jpg', objects: [] }, // duplicate
      { file_name: 42, objects: [] },
      { file_name: 'x.jpg', objects: 'none' },
      { file_name: 'sub/x.jpg', objects: [] },
      { objects: [] },
      ['not', 'an', 'entry'],
      null,
      { file_name: 'clip.gif', objects: [] },
    );
    // Python's json.dump writes NaN / Infinity: read, and the boxes reported
    const text = JSON.stringify({ annotations: entries }).slice(0, -2) + ',{"file_name":"nan.jpg","objects":[{"class":"face","position":[NaN,1,5,5]},{"class":"face","position":[1,1,Infinity,-Infinity]},{"class":"face","position":[1,1,5,5]}]}]}';
    await writeFile(join(trainDir, 'images', 'nan.jpg'), await raw(64, 48, 36).jpeg().toBuffer());
    await writeFile(join(trainDir, 'labels.json'), text);
  });

  it('names every bad file with its reason, writes nothing broken, keeps every valid image and box', async () => {
    const out = join(root, 'out');
    const r = await prepareData({ trainDir, outDir: out, valCount: 0 });
    const issues = r.issues.toJSON();
    const examples = (k: string) => issues[k]?.examples ?? [];
    const good = cases.filter((c) => !c.bad);
    const bad = cases.filter((c) => c.bad);
    for (const c of bad) {
      const hit = examples(c.bad!.kind).find((e) => e.startsWith(`${c.name} (`));
      expect(hit, `${c.name} reported as ${c.bad!.kind}: ${JSON.stringify(issues)}`).toBeDefined();
      expect(hit).toMatch(c.bad!.reason);
    }
    expect(issues['damaged image']!.count).toBe(bad.filter((c) => c.bad!.kind === 'damaged image').length);
    expect(issues['image too small']!.count).toBe(1);
    expect(examples('unreadable image').some((e) => e.startsWith('clip.gif (extension'))).toBe(true);
    // a dangling link and a folder are not image files: missing
    expect(examples('missing image')).toEqual(['LOWER.jpg (on disk: lower.jpg; names must match exactly)', 'not here.jpg', 'dangling.jpg', 'folder.jpg']);
    expect(examples('image without record').sort()).toEqual(['lower.jpg', 'orphan.jpg']);
    expect(examples('duplicate file_name')).toEqual([`good.jpg (annotations[${cases.length + 8}])`]);
    expect(examples('malformed entry')).toHaveLength(6);
    expect(examples('malformed entry').join('\n')).toMatch(/file_name is 42, not a string[\s\S]*objects is "none", not a list[\s\S]*file_name is a path[\s\S]*no file_name[\s\S]*not an object: \["not"[\s\S]*not an object: null/);
    expect(issues['box clipped']!.count).toBe(2);
    expect(issues['box outside image']!.count).toBe(1);
    expect(issues['degenerate box']!.count).toBe(1);
    expect(issues['unknown class']!.examples).toEqual(['boxes.jpg ("nose")']);
    expect(examples('malformed object')).toEqual([
      'boxes.jpg (objects[5]: position is ["1",1,5,5], not 4 finite numbers [x1, y1, x2, y2])',
      'boxes.jpg (objects[6]: position is [1,1,5], not 4 finite numbers [x1, y1, x2, y2])',
      'boxes.jpg (objects[7]: class is 7, not a name)',
      'boxes.jpg (objects[8]: not an object)',
      'nan.jpg (objects[0]: position is [null,1,5,5], not 4 finite numbers [x1, y1, x2, y2])',
      'nan.jpg (objects[1]: position is [1,1,null,null], not 4 finite numbers [x1, y1, x2, y2])',
    ]);

    // every valid image is converted with its boxes: good cases (1 box each), 3 backgrounds, boxes.jpg (3), nan.jpg (1)
    const usable = good.length + 3 + 1 + 1;
    expect(r.images).toMatchObject({ listed: cases.length + 10, usable, train: usable, val: 0, background: 3, noObjects: 2 });
    const labels = (await readdir(join(out, 'drowsy_face/labels/train'))).sort();
    const images = (await readdir(join(out, 'drowsy_face/images/train'))).sort();
    expect(images).toEqual([...good.map((c) => c.name), 'background a.jpg', 'background b.jpg', 'background c.jpg', 'boxes.jpg', 'nan.jpg'].sort());
    expect(labels).toEqual(images.map((n) => `${n.slice(0, n.lastIndexOf('.'))}.txt`).sort());
    for (const c of good) expect((await readFile(join(out, 'drowsy_face/labels/train', `${c.name.slice(0, c.name.lastIndexOf('.'))}.txt`), 'utf8')).split('\n').filter(Boolean), c.name).toHaveLength(1);
    expect(await readFile(join(out, 'drowsy_face/labels/train/background a.txt'), 'utf8')).toBe('');
    expect((await readFile(join(out, 'drowsy_face/labels/train/boxes.txt'), 'utf8')).split('\n').filter(Boolean).map((l) => l.split(' ')[0])).toEqual(['4', '0', '6']);
    const boxes = r.counts.train.reduce((a, b) => a + b, 0);
    expect(boxes).toBe(good.length + 3 + 1);

    // the printed report names every bad file with its reason, one line each
    const text = formatPrepareReport(r);
    for (const c of bad) expect(text).toContain(`      ${c.name} (`);
    expect(text).toMatch(/background images \(no boxes, kept\): 3, 2 of them without an "objects" key/);
    expect(text).toMatch(/damaged image: \d+ \(image skipped: does not decode in full/);
    const saved = JSON.parse(await readFile(join(out, 'drowsy_face/prepare_report.json'), 'utf8')) as { issues: Record<string, { examples: string[] }> };
    expect(saved.issues['damaged image']!.examples).toEqual(issues['damaged image']!.examples);

    // the loader reads every converted image: nothing left for it to drop
    const ds = await YoloDataset.open(join(out, 'drowsy_face/images/train'), { imgSize: 32, cache: false, nc: 7 });
    expect(ds.length).toBe(usable);
    expect(ds.stats.corrupted).toBe(0);
  });

  it('reads a labels.json with a byte-order mark; stops with one line when no image is usable', async () => {
    const dir = join(root, 'none usable');
    await mkdir(join(dir, 'images'), { recursive: true });
    await writeFile(join(dir, 'images', 'a.jpg'), 'not an image');
    const bom = (o: unknown) => `\ufeff${JSON.stringify(o)}`;
    await writeFile(join(dir, 'labels.json'), bom({ annotations: [{ file_name: 'a.jpg', objects: [box] }, { file_name: 'b.jpg' }] }));
    await expect(prepareData({ trainDir: dir, outDir: join(root, 'none out') })).rejects.toThrow(
      /labels\.json: no usable image \(2 entries; 1 unreadable image, 1 missing image\); nothing written$/,
    );
    await expect(readdir(join(root, 'none out'))).rejects.toThrow(/ENOENT/);
    await writeFile(join(dir, 'images', 'b.jpg'), await raw(64, 48, 41).jpeg().toBuffer());
    const r = await prepareData({ trainDir: dir, outDir: join(root, 'none out'), valCount: 0 });
    expect(r.images).toMatchObject({ usable: 1, background: 1, noObjects: 1 });
  });

  it('stops, naming both files, when two images would share one label file', async () => {
    const dir = join(root, 'clash');
    await mkdir(join(dir, 'images'), { recursive: true });
    const a = await raw(64, 48, 40).jpeg().toBuffer();
    for (const n of ['a.jpg', 'a.png', 'a.JPG', 'b.jpg']) await writeFile(join(dir, 'images', n), a);
    await writeFile(join(dir, 'labels.json'), JSON.stringify({ annotations: ['a.jpg', 'b.jpg', 'a.png', 'a.JPG'].map((f) => ({ file_name: f, objects: [box] })) }));
    const p = prepareData({ trainDir: dir, outDir: join(root, 'clash out') });
    await expect(p).rejects.toBeInstanceOf(VigilUserError);
    await expect(prepareData({ trainDir: dir, outDir: join(root, 'clash out') })).rejects.toThrow(
      /images 'a\.jpg' and 'a\.png' would share the label file 'a\.txt' \(YOLO names labels by the image's stem\), and 1 more such pair; rename one/,
    );
    await expect(readdir(join(root, 'clash out'))).rejects.toThrow(/ENOENT/); // nothing written
  });
});

describe('--data (checkDataset) bad-input matrix', () => {
  const ds = join(root, 'yolo');
  let cases: ImageCase[];
  beforeAll(async () => {
    cases = await imageCases();
    for (const d of ['images/train', 'labels/train', 'images/val', 'labels/val']) await mkdir(join(ds, d), { recursive: true });
    for (const c of cases) {
      await writeFile(join(ds, 'images/train', c.name), c.bytes);
      await writeFile(join(ds, 'labels/train', `${c.name.slice(0, c.name.lastIndexOf('.'))}.txt`), '0 0.5 0.5 0.25 0.25\n');
    }
    await writeFile(join(ds, 'labels/train', 'no image.txt'), '0 0.5 0.5 0.25 0.25\n');
    // two images, one label file: both kept (the YOLO convention), reported
    await writeFile(join(ds, 'images/train', 'pair.jpg'), await raw(64, 48, 51).jpeg().toBuffer());
    await writeFile(join(ds, 'images/train', 'pair.png'), await raw(64, 48, 52).png().toBuffer());
    await writeFile(join(ds, 'labels/train', 'pair.txt'), '1 0.5 0.5 0.25 0.25\n');
    await writeFile(join(ds, 'labels/train', 'classes.txt'), 'cat\ndog\n');
    // a label "file" that cannot be read (here a folder): the image is skipped, not taken as background
    await writeFile(join(ds, 'images/train', 'label is a folder.jpg'), await raw(64, 48, 53).jpeg().toBuffer());
    await mkdir(join(ds, 'labels/train', 'label is a folder.txt'));
    await writeFile(join(ds, 'images/val', 'v.jpg'), await raw(64, 48, 50).jpeg().toBuffer());
    await writeFile(join(ds, 'labels/val', 'v.txt'), '1 0.5 0.5 0.25 0.25\n');
    await writeFile(join(ds, 'data.yaml'), 'train: images/train\nval: images/val\nnames: [cat, dog]\n');
  });

  it('skips every broken image by name with its reason, keeps every valid image and box', async () => {
    const config = await loadDatasetYaml(join(ds, 'data.yaml'));
    const report = await checkDataset(config);
    const [train, val] = report.splits;
    const good = cases.filter((c) => !c.bad);
    const bad = cases.filter((c) => c.bad);
    expect(train).toMatchObject({ images: cases.length + 3, usable: good.length + 2, labelled: good.length + 2, boxes: good.length + 2 });
    expect(train!.skippedFiles.map((f) => f.slice(join(ds, 'images/train').length + 1)).sort()).toEqual([...bad.map((c) => c.name), 'label is a folder.jpg'].sort());
    expect(train!.issues['unreadable label file']!.examples).toEqual([`${join(ds, 'labels/train', 'label is a folder.txt')}: cannot read the label file (EISDIR)`]);
    for (const c of bad) {
      const e = train!.issues[c.bad!.check as keyof typeof train.issues];
      const hit = e?.examples.find((x) => x.startsWith(`${join(ds, 'images/train', c.name)}: `));
      expect(hit, `${c.name} as ${c.bad!.check}: ${JSON.stringify(train!.issues)}`).toBeDefined();
      expect(hit).not.toMatch(/\n/);
    }
    expect(train!.issues['damaged image']!.examples.join('\n')).toMatch(/truncated\.jpg: truncated JPEG/);
    expect(train!.issues['label without image']!.examples).toEqual([join(ds, 'labels/train', 'no image.txt')]);
    expect(train!.issues['shared label file']!.examples).toEqual([`${join(ds, 'images/train/pair.jpg')} and ${join(ds, 'images/train/pair.png')} both read ${join(ds, 'labels/train/pair.txt')}`]);
    expect(val).toMatchObject({ images: 1, usable: 1, boxes: 1, classCounts: [0, 1] });
    expect(report.skipped).toBe(bad.length + 1);
    const text = formatDatasetReport(report);
    for (const c of bad) expect(text).toContain(join(ds, 'images/train', c.name));
    expect(text.trim().split('\n').at(-1)).toBe(`${bad.length + 1} images will be skipped; everything else is used.`);

    // with the skipped files excluded the loader reads every remaining image
    const loaded = await YoloDataset.open(config.train!, { imgSize: 32, nc: 2, cache: false, exclude: train!.skippedFiles });
    expect(loaded.length).toBe(good.length + 2);
    expect(loaded.stats.corrupted).toBe(0);
    // without the exclusions the loader drops the unreadable label file's image too, not as a background image
    const plain = await YoloDataset.open(config.train!, { imgSize: 32, nc: 2, cache: false });
    expect(plain.stats.messages.join('\n')).toContain(`${join(ds, 'labels/train', 'label is a folder.txt')}: cannot read the label file (EISDIR)`);
  });

  it('a dataset YAML with Windows paths gets a hint to use relative paths', async () => {
    await writeFile(join(ds, 'win.yaml'), 'train: C:\\Users\\me\\data\\train\\images\nval: ..\\valid\\images\nnames: [cat, dog]\n');
    const config = await loadDatasetYaml(join(ds, 'win.yaml'));
    await expect(datasetSources(config, 'train')).rejects.toThrow(/not found: .*C:\\Users.*looks like a Windows path .*use paths relative to the YAML's folder/);
    await expect(datasetSources(config, 'val')).rejects.toThrow(/looks like a Windows path/);
    await writeFile(join(ds, 'posix.yaml'), 'train: nowhere/images\nval: images/val\nnames: [cat, dog]\n');
    await expect(datasetSources(await loadDatasetYaml(join(ds, 'posix.yaml')), 'train')).rejects.toThrow(/not found: [^;]*$/);
  });
});
