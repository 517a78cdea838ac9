import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { VigilUserError } from '@vigil/core';
import { ensureSyntheticData, generateSyntheticData, SYNTH_MARKER } from './synth-generate.js';

const root = await mkdtemp(join(tmpdir(), 'vigil synth '));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('generateSyntheticData', () => {
  it('writes the competition layout, grayscale JPEGs whose boxes fit, the same bytes for the same seed', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    const opts = { train: 6, test: 2, seed: 5, width: 320, height: 240, concurrency: 3 };
    const sa = await generateSyntheticData(a, opts);
    await generateSyntheticData(b, { ...opts, concurrency: 1 });
    const la = await readFile(join(a, 'task03_train/labels.json'), 'utf8');
    expect(la).toEqual(await readFile(join(b, 'task03_train/labels.json'), 'utf8'));
    const ann = JSON.parse(la).annotations as { file_name: string; objects: { class: string; position: number[] }[] }[];
    expect(ann).toHaveLength(6);
    expect(sa.counts.train['face']).toBe(6);
    expect((await readdir(join(a, 'task03_test/images'))).sort()).toEqual(['synth_test_000000.jpg', 'synth_test_000001.jpg']);
    expect(JSON.parse(await readFile(join(a, 'task03_test/labels.json'), 'utf8')).annotations).toHaveLength(2);
    for (const e of ann) {
      const file = join(a, 'task03_train/images', e.file_name);
      const m = await sharp(file).metadata();
      expect([m.width, m.height, m.channels, m.format]).toEqual([320, 240, 1, 'jpeg']);
      expect(await readFile(file)).toEqual(await readFile(join(b, 'task03_train/images', e.file_name)));
      for (const o of e.objects) expect(o.position[2]! <= 320 && o.position[3]! <= 240).toBe(true);
    }
  });

  it('rejects bad parameters with a user error', async () => {
    await expect(generateSyntheticData(join(root, 'x'), { train: 0 })).rejects.toThrow(/train image count/);
    await expect(generateSyntheticData(join(root, 'x'), { train: 2, seed: 1.5 })).rejects.toThrow(VigilUserError);
  });
});

describe('ensureSyntheticData', () => {
  it('generates once, then reuses; regenerates when the parameters change', async () => {
    const d = join(root, 'ensure me');
    const opts = { train: 2, test: 1, width: 128, height: 96 };
    expect((await ensureSyntheticData(d, opts)).generated).toBe(true);
    const second = await ensureSyntheticData(d, opts);
    expect(second.generated).toBe(false);
    expect(second.counts.train['face']).toBe(2);
    const marker = JSON.parse(await readFile(join(d, SYNTH_MARKER), 'utf8'));
    expect(marker.train).toBe(2);
    expect((await ensureSyntheticData(d, { ...opts, train: 3 })).generated).toBe(true);
    expect(await readdir(join(d, 'task03_train/images'))).toHaveLength(3);
  });

  it('never overwrites a folder holding other data', async () => {
    const d = join(root, 'real');
    await mkdir(join(d, 'task03_train'), { recursive: true });
    await expect(ensureSyntheticData(d, { train: 1 })).rejects.toThrow(/refusing to overwrite/);
    await expect(generateSyntheticData(d, { train: 1 })).rejects.toThrow(/refusing to overwrite/);
  });

  it('regenerates after an interrupted run (incomplete marker)', async () => {
    const d = join(root, 'interrupted');
    const opts = { train: 1, test: 0, width: 96, height: 64 };
    await mkdir(join(d, 'task03_train/images'), { recursive: true });
    await writeFile(join(d, SYNTH_MARKER), JSON.stringify({ incomplete: true }));
    const s = await ensureSyntheticData(d, opts);
    expect(s.generated).toBe(true);
    expect(JSON.parse(await readFile(join(d, SYNTH_MARKER), 'utf8')).incomplete).toBeUndefined();
  });
});
