import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilUserError } from '@vigil/core';
import { formatPrepareReport, prepareData } from './prepare-data.js';

const root = await mkdtemp(join(tmpdir(), 'vigil prepare '));
const trainDir = join(root, 'task03 train');
afterAll(() => rm(root, { recursive: true, force: true }));

const obj = (cls: string, position: unknown) => ({ class: cls, position });
const jpeg = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#5a5a5a' } }).jpeg().toBuffer();

/** A crafted set: 12 good images (diet rules exercised) plus one of every bad case. */
const annotations: unknown[] = [
  { file_name: 'good 00.jpg', objects: [obj('face', [10, 0, 20, 30]), obj('eye_opened', [11, 2, 13, 4])], extra: 'kept' },
  { file_name: 'good 01.jpg', objects: [obj('face', [0, 0, 64, 48]), obj('phone', [1, 1, 9, 9])] },
  { file_name: 'good 02.jpg', objects: [obj('eye_closed', [1, 1, 5, 5]), obj('mouth_closed', [6, 6, 9, 9])] },
  { file_name: 'good 03.jpg', objects: [obj('mouth_opened', [1, 1, 5, 5])] },
  { file_name: 'good 04.jpg', objects: [obj('mouth_opened', [1, 1, 5, 5])] },
  { file_name: 'good 05.jpg', objects: [obj('mouth_opened', [1, 1, 5, 5])] },
  { file_name: 'good 06.jpg', objects: [obj('cigar', [1, 1, 5, 5]), obj('eye_closed', [1, 1, 5, 5]), obj('mouth_opened', [2, 2, 6, 6])] },
  { file_name: 'good 07.jpg', objects: [] },
  { file_name: 'good 08.jpg', objects: [obj('face', [5, 7.5, 15, 22.5])] },
  { file_name: 'good 09.jpg', objects: [obj('face', [1, 1, 30, 30])] },
  { file_name: 'good 10.jpg', objects: [obj('face', [1, 1, 30, 30])] },
  { file_name: 'good 11.jpg', objects: [obj('face', [1, 1, 30, 30])] },
  // Bad records.
  { file_name: 'bad class.jpg', objects: [obj('nose', [1, 1, 5, 5]), obj('face', [1, 1, 5, 5])] },
  { file_name: 'bad inverted.jpg', objects: [obj('face', [20, 1, 10, 5]), obj('face', [1, 5, 5, 5]), obj('eye_opened', [1, 1, 5, 5])] },
  { file_name: 'bad clip.jpg', objects: [obj('face', [-10, -5, 70, 50])] },
  { file_name: 'bad outside.jpg', objects: [obj('face', [100, 100, 120, 130]), obj('eye_opened', [1, 1, 5, 5])] },
  { file_name: 'bad missing.jpg', objects: [obj('face', [1, 1, 5, 5])] },
  { file_name: 'bad unreadable.jpg', objects: [obj('face', [1, 1, 5, 5])] },
  { objects: [] },
  { file_name: 'bad objects.jpg', objects: 'none' },
  'not an object',
  { file_name: '../escape.jpg', objects: [] },
  { file_name: 'bad object.jpg', objects: [obj('face', [1, 2, 3]), { class: 'face' }, null, obj('face', [1, 1, 5, 5])] },
  { file_name: 'good 00.jpg', objects: [] },
];

beforeAll(async () => {
  await mkdir(join(trainDir, 'images'), { recursive: true });
  for (const a of annotations) {
    const name = (a as { file_name?: string }).file_name;
    if (typeof name !== 'string' || name.includes('/') || name === 'bad missing.jpg' || name === 'bad objects.jpg') continue;
    if (name === 'bad unreadable.jpg') await writeFile(join(trainDir, 'images', name), 'not a jpeg');
    else await writeFile(join(trainDir, 'images', name), await jpeg(64, 48));
  }
  await writeFile(join(trainDir, 'labels.json'), JSON.stringify({ annotations }));
});

describe('prepareData', () => {
  it('converts, splits, diets, reports every bad case and keeps every valid record', async () => {
    const out = join(root, 'out one');
    const events: string[] = [];
    const r = await prepareData({ trainDir, outDir: out, valCount: 3, maxValFraction: 0.5, seed: 1, onProgress: (e) => events.push(e.phase) });
    // 12 good + bad class/inverted/clip/outside/bad object (images kept) = 17 usable.
    expect(r.images).toEqual({ listed: 19, usable: 17, background: 1, noObjects: 0, train: 14, val: 3, diet: expect.any(Number) });
    expect(r.valNote).toBeUndefined();
    const issues = r.issues.toJSON();
    expect(issues).toEqual({
      'malformed entry': {
        count: 4,
        examples: [
          'annotations[18] (no file_name)',
          'bad objects.jpg (objects is "none", not a list)',
          'annotations[20] (not an object: "not an object")',
          '../escape.jpg (file_name is a path, not a file name in images/)',
        ],
      },
      'duplicate file_name': { count: 1, examples: ['good 00.jpg (annotations[23])'] },
      'unknown class': { count: 1, examples: ['bad class.jpg ("nose")'] },
      'degenerate box': { count: 2, examples: ['bad inverted.jpg'] },
      'box clipped': { count: 1, examples: ['bad clip.jpg'] },
      'box outside image': { count: 1, examples: ['bad outside.jpg'] },
      'missing image': { count: 1, examples: ['bad missing.jpg'] },
      'unreadable image': { count: 1, examples: ['bad unreadable.jpg (Input buffer contains unsupported image format)'] },
      'malformed object': {
        count: 3,
        examples: [
          'bad object.jpg (objects[0]: position is [1,2,3], not 4 finite numbers [x1, y1, x2, y2])',
          'bad object.jpg (objects[1]: position missing, not 4 finite numbers [x1, y1, x2, y2])',
          'bad object.jpg (objects[2]: not an object)',
        ],
      },
    });
    const all = [...(await readdir(join(out, 'drowsy_face/labels/train'))), ...(await readdir(join(out, 'drowsy_face/labels/val')))];
    expect(all).toHaveLength(17);
    const labelOf = async (stem: string) => {
      for (const s of ['train', 'val']) {
        try {
          return await readFile(join(out, 'drowsy_face/labels', s, `${stem}.txt`), 'utf8');
        } catch {
          /* other split */
        }
      }
      throw new Error(`no label for ${stem}`);
    };
    expect(await labelOf('good 00')).toBe('4 0.23438 0.31250 0.15625 0.62500\n0 0.18750 0.06250 0.03125 0.04167\n');
    expect(await labelOf('good 07')).toBe('');
    expect(await labelOf('bad clip')).toBe('4 0.50000 0.50000 1.00000 1.00000\n');
    expect(await labelOf('bad inverted')).toBe('0 0.04688 0.06250 0.06250 0.08333\n');
    expect(await labelOf('bad outside')).toBe('0 0.04688 0.06250 0.06250 0.08333\n');
    expect(await labelOf('bad class')).toBe('4 0.04688 0.06250 0.06250 0.08333\n');
    expect(await labelOf('bad object')).toBe('4 0.04688 0.06250 0.06250 0.08333\n');
    // Images linked, not copied.
    const trainImgs = await readdir(join(out, 'drowsy_face/images/train'));
    expect(trainImgs).toHaveLength(14);
    const st = await stat(join(out, 'drowsy_face/images/train', trainImgs[0]!));
    expect(st.nlink).toBeGreaterThan(1);
    expect(r.links).toEqual({ hardlink: 17 + r.images.diet, symlink: 0, copy: 0 });
    // raw_*.json hold the original entries (other keys kept).
    const rawTrain = JSON.parse(await readFile(join(out, 'drowsy_face/raw_train.json'), 'utf8')).annotations;
    const rawVal = JSON.parse(await readFile(join(out, 'drowsy_face/raw_val.json'), 'utf8')).annotations;
    expect(rawTrain.length + rawVal.length).toBe(17);
    const g0 = [...rawTrain, ...rawVal].find((a: { file_name: string }) => a.file_name === 'good 00.jpg');
    expect(g0.extra).toBe('kept');
    // Counts per class add up.
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(r.counts.train) + sum(r.counts.val)).toBe(21);
    expect(events).toContain('scan');
    expect(events).toContain('write diet');
    const text = formatPrepareReport(r);
    expect(text).toMatch(/eye_opened/);
    expect(text).toMatch(/unknown class: 1 \(box dropped\)\n {6}bad class\.jpg \("nose"\)\n/);
  });

  it("applies the diet rules to the train split by default and to everything with 'all'", async () => {
    const out = join(root, 'out all');
    const r = await prepareData({ trainDir, outDir: out, valCount: 0, dietSource: 'all', linkMode: 'copy' });
    const diet = (await readdir(join(out, 'drowsy_face_diet/images/train'))).sort();
    // Rules over labels.json order: 01 phone, 02 eye_closed+mouth_closed, 05 = 3rd mouth_opened, 06 cigar.
    expect(diet).toEqual(['good 01.jpg', 'good 02.jpg', 'good 05.jpg', 'good 06.jpg']);
    expect(r.links.copy).toBeGreaterThan(0);
    expect((await lstat(join(out, 'drowsy_face_diet/images/train/good 01.jpg'))).nlink).toBe(1);
    expect(r.counts.diet).toEqual([0, 2, 2, 1, 1, 1, 1]);
    expect((await readFile(join(out, 'drowsy_face_diet/labels/train/good 05.txt'), 'utf8')).startsWith('2 ')).toBe(true);

    const rt = await prepareData({ trainDir, outDir: join(root, 'out train'), valCount: 20000, seed: 3 });
    expect(rt.valNote).toBe('validation count 20000 capped to 3 (20 % of 17 images)');
    const trainNames = new Set(await readdir(join(root, 'out train/drowsy_face/images/train')));
    for (const d of await readdir(join(root, 'out train/drowsy_face_diet/images/train'))) expect(trainNames.has(d)).toBe(true);
  });

  it('makes the image hard links on a worker thread for large sets: the same tree, links and counts', async () => {
    const seq = await prepareData({ trainDir, outDir: join(root, 'out seq'), valCount: 3, maxValFraction: 0.5, seed: 1, parallelLinksFrom: 1e9 });
    const par = await prepareData({ trainDir, outDir: join(root, 'out par'), valCount: 3, maxValFraction: 0.5, seed: 1, parallelLinksFrom: 1 });
    expect(par.links).toEqual(seq.links);
    expect(par.links.hardlink).toBe(17 + par.images.diet);
    expect(par.counts).toEqual(seq.counts);
    for (const d of ['drowsy_face/images/train', 'drowsy_face/images/val', 'drowsy_face/labels/train', 'drowsy_face_diet/images/train', 'drowsy_face_diet/labels/train']) {
      const names = (await readdir(join(root, 'out par', d))).sort();
      expect(names, d).toEqual((await readdir(join(root, 'out seq', d))).sort());
      for (const n of names.filter((x) => x.endsWith('.jpg'))) expect((await stat(join(root, 'out par', d, n))).nlink, n).toBeGreaterThan(1);
    }
  });

  it('stops on a malformed labels.json with the position of the error', async () => {
    const dir = join(root, 'broken');
    await mkdir(join(dir, 'images'), { recursive: true });
    await writeFile(join(dir, 'labels.json'), '{"annotations": [\n  {"file_name": "a.jpg", "objects": [}\n]}');
    const p = prepareData({ trainDir: dir, outDir: join(root, 'out broken') });
    await expect(p).rejects.toBeInstanceOf(VigilUserError);
    await expect(prepareData({ trainDir: dir, outDir: join(root, 'out broken') })).rejects.toThrow(
      /labels\.json is not valid JSON at line 2, column 38 \(character 55\): unexpected character "}" \(expected a value\)/,
    );
    await writeFile(join(dir, 'labels.json'), '{"images": []}');
    await expect(prepareData({ trainDir: dir, outDir: join(root, 'out broken') })).rejects.toThrow(/no "annotations" array/);
    await expect(prepareData({ trainDir: join(root, 'nowhere'), outDir: join(root, 'x') })).rejects.toThrow(/cannot read .*labels\.json/);
  });
});
