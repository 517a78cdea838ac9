import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VigilUserError } from '@vigil/core';
import { datasetSources, loadDatasetYaml, parseDatasetYaml } from './dataset-yaml.js';

const root = await mkdtemp(join(tmpdir(), 'vigil yaml '));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('parseDatasetYaml', () => {
  const file = join(root, 'cfg', 'data.yaml');

  it('reads the seed layout: relative paths against the YAML folder, list names, nc', () => {
    const c = parseDatasetYaml(
      `# comment\ntrain: ../drowsy_face/images/train\nval: ../drowsy_face/images/val\ntest: /DATA/task03_test/images\nnc: 3\nnames: ['a', 'b c', 7]\n`,
      file,
    );
    expect(c.root).toBe(join(root, 'cfg'));
    expect(c.train).toEqual([join(root, 'drowsy_face', 'images', 'train')]);
    expect(c.val).toEqual([join(root, 'drowsy_face', 'images', 'val')]);
    expect(c.test).toEqual(['/DATA/task03_test/images']);
    expect(c.nc).toBe(3);
    expect(c.names).toEqual(['a', 'b c', '7']);
  });

  it('resolves against path: (itself relative to the YAML folder), takes lists, .txt lists and a names map', () => {
    const c = parseDatasetYaml(`path: ../my data\ntrain: [images/train, more/images]\nval: val.txt\nnames:\n  1: dog\n  0: cat\n`, file);
    expect(c.root).toBe(join(root, 'my data'));
    expect(c.train).toEqual([join(root, 'my data', 'images', 'train'), join(root, 'my data', 'more', 'images')]);
    expect(c.val).toEqual([join(root, 'my data', 'val.txt')]);
    expect(c.test).toBeUndefined();
    expect(c).toMatchObject({ nc: 2, names: ['cat', 'dog'] });
    expect(parseDatasetYaml(`path: /abs/ds\nval: images\nnc: 2\n`, file)).toMatchObject({ root: '/abs/ds', val: ['/abs/ds/images'], names: ['class0', 'class1'] });
  });

  it('names the file and key in every error', () => {
    const bad = (text: string, re: RegExp) => {
      let err: unknown;
      try {
        parseDatasetYaml(text, file);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VigilUserError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(re);
    };
    bad(`train: a\nval: b\nnc: 3\nnames: [x, y]\n`, /'nc: 3' but 'names:' has 2 entries/);
    bad(`train: a\nnc: 0\n`, /'nc:' must be a whole number ≥ 1/);
    bad(`train: a\nnc: two\nnames: [x, y]\n`, /'nc:' must be a whole number/);
    bad(`train: a\n`, /neither 'names:' nor 'nc:'/);
    bad(`train: a\nnames: {0: x, 2: y}\n`, /'names:' keys must be the class ids 0…1.*'2'/);
    bad(`train: a\nnames: []\n`, /'names:' is empty/);
    bad(`train: a\nnames: cat\n`, /'names:' must be a list/);
    bad(`train: {a: 1}\nnames: [x]\n`, /'train:' must be an images folder/);
    bad(`nc: 2\n`, /names no images/);
    bad(`path: [1]\ntrain: a\nnames: [x]\n`, /'path:' must be a folder path/);
    bad(`train: a\nnames: [x\nval: b\n`, /not valid YAML at line \d+, column \d+/);
    bad(`- a\n- b\n`, /must be a mapping/);
    bad(`train: a\ntrain: b\nnames: [x]\n`, /not valid YAML/);
  });
});

describe('loadDatasetYaml / datasetSources', () => {
  it('loads a YAML in a folder with spaces and checks that split paths exist', async () => {
    const dir = join(root, 'a dataset');
    await mkdir(join(dir, 'images', 'train'), { recursive: true });
    const file = join(dir, 'my data.yaml');
    await writeFile(file, 'train: images/train\nval: images/val\nnames: {0: person}\n');
    const c = await loadDatasetYaml(file);
    expect(c.file).toBe(file);
    expect(await datasetSources(c, 'train')).toEqual([join(dir, 'images', 'train')]);
    await expect(datasetSources(c, 'val')).rejects.toThrow(/'val:' path not found: .*images\/val \(relative paths resolve against .*a dataset\)/);
    await expect(datasetSources(c, 'test')).rejects.toThrow(/has no 'test:' key/);
    await expect(loadDatasetYaml(join(dir, 'nope.yaml'))).rejects.toThrow(/cannot read dataset YAML .*nope\.yaml: no such file/);
  });
});
