import '@tensorflow/tfjs-backend-cpu';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { readImageSize } from '@vigil/dataset';
import { checkpointFromModel, loadModelFile, saveCheckpoint } from '@vigil/yolov5';
import { beforeAll, describe, expect, it } from 'vitest';
import { yoloGroundTruth } from './dataset-task.js';
import { parsePredictOptions } from './options.js';
import { runPredictCommand } from './predict-command.js';

const fx = fileURLToPath(new URL('./fixtures/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'vigil-predict-data-'));
const IMAGES = ['synth_test_000000.jpg', 'synth_test_000001.jpg', 'synth_test_000002.jpg'];
/** The checkpoint's class names differ from the YAML's: outputs must use the checkpoint's. */
const CKPT_NAMES = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'];

type Doc = { annotations: { file_name: string; objects: { class: string; position: number[]; confidence_score: number }[] | Record<string, never> }[] };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { log: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

/** A YOLO dataset: val and test = the 3 fixture images (val labels written later), names d0…d6. */
function makeDataset(): { yaml: string; ckpt: string } {
  for (const split of ['val', 'test']) {
    mkdirSync(join(root, 'ds', 'images', split), { recursive: true });
    for (const f of IMAGES) copyFileSync(join(fx, 'images', f), join(root, 'ds', 'images', split, f));
  }
  mkdirSync(join(root, 'ds', 'labels', 'val'), { recursive: true });
  const yaml = join(root, 'ds', 'data.yaml');
  writeFileSync(yaml, 'path: .\ntrain: images/val\nval: images/val\ntest: images/test\nnames: [d0, d1, d2, d3, d4, d5, d6]\n');
  const { model } = loadModelFile(join(fx, 'model-a.pt'));
  const ckpt = join(root, 'renamed.vckpt');
  saveCheckpoint(ckpt, { ...checkpointFromModel(model), names: CKPT_NAMES });
  model.dispose();
  return { yaml, ckpt };
}

describe('vigil-predict --data --task (any YOLO dataset)', () => {
  let ds: { yaml: string; ckpt: string };
  beforeAll(async () => {
    await tf.setBackend('cpu');
    ds = makeDataset();
  });

  const opts = (extra: Record<string, unknown>) =>
    parsePredictOptions({ weights: [ds.ckpt], data: ds.yaml, imgSize: '128', batchSize: '2', augment: false, progress: false, confThres: '0.001', project: join(root, 'runs'), ...extra });

  it('predicts the test split with the checkpoint\'s class names and the images\' own file names; no labels → not scored', async () => {
    const c = capture();
    const r = await runPredictCommand(opts({ task: 'test', name: 'test' }), c.log);
    const doc = JSON.parse(readFileSync(r.outFile, 'utf8')) as Doc;
    expect(doc.annotations.map((a) => a.file_name).sort()).toEqual(IMAGES);
    const classes = new Set(doc.annotations.flatMap((a) => (Array.isArray(a.objects) ? a.objects.map((o) => o.class) : [])));
    expect(classes.size).toBeGreaterThan(0);
    for (const k of classes) expect(CKPT_NAMES).toContain(k);
    expect(c.err.join('\n')).toMatch(/warning: class 0 is 'd0' in .*data\.yaml but 'p0' in the checkpoint/);
    expect(c.out.join('\n')).toMatch(/no label files next to the test images: predictions not scored/);
    expect(r.map50).toBeUndefined();
  });

  it('scores the val split against its YOLO labels: labels made from the model\'s own confident boxes give mAP@0.5 ≈ 1', async () => {
    // ground truth = the test run's detections with confidence ≥ 0.02, written as YOLO label rows
    const doc = JSON.parse(readFileSync(join(root, 'runs', 'test', 'renamed_predictions.json'), 'utf8')) as Doc;
    let boxes = 0;
    for (const a of doc.annotations) {
      const { width, height } = await readImageSize(join(root, 'ds', 'images', 'val', a.file_name));
      const rows = (Array.isArray(a.objects) ? a.objects : [])
        .filter((o) => o.confidence_score >= 0.02)
        .map((o) => {
          const [x1, y1, x2, y2] = o.position as [number, number, number, number];
          const v = [(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height];
          return `${CKPT_NAMES.indexOf(o.class)} ${v.map((x) => x.toFixed(6)).join(' ')}`;
        });
      boxes += rows.length;
      writeFileSync(join(root, 'ds', 'labels', 'val', a.file_name.replace(/\.jpg$/, '.txt')), rows.join('\n') + '\n');
    }
    expect(boxes).toBeGreaterThan(2);
    const c = capture();
    const r = await runPredictCommand(opts({ task: 'val', name: 'val' }), c.log);
    expect(c.out.join('\n')).toMatch(new RegExp(`scored against the val labels of .*data\\.yaml \\(3 images, ${boxes} boxes; class names from the checkpoint\\)`));
    expect(r.map50).toBeGreaterThan(0.99);
    expect(r.map50).toBeLessThanOrEqual(1);
  });

  it('a model for another class count, a missing split or clashing flags stop with one clear message', async () => {
    const three = join(root, 'ds', 'three.yaml');
    writeFileSync(three, 'path: .\nval: images/val\nnames: [a, b, c]\n');
    await expect(runPredictCommand(opts({ data: three, task: 'val' }), capture().log)).rejects.toThrow(/three\.yaml has 3 classes \[a, b, c\] but the model predicts 7 \[p0, p1/);
    await expect(runPredictCommand(opts({ data: three, task: 'test' }), capture().log)).rejects.toThrow(/three\.yaml has no 'test:' key/);
    expect(() => opts({ task: 'train' })).toThrow(/--task train: use val or test/);
    expect(() => opts({ source: '/tmp' })).toThrow(/--data takes the images and labels from the dataset YAML's val split: drop --source/);
    expect(() => parsePredictOptions({ weights: ['x'], task: 'val' })).toThrow(/--task needs --data/);
    expect(parsePredictOptions({ weights: ['x'], data: ds.yaml }).imgSize).toBe(640);
  });
});

describe('yoloGroundTruth', () => {
  it('turns normalised cx cy w h rows into xyxy pixels of the image', () => {
    const gt = yoloGroundTruth(Float32Array.from([2, 0.5, 0.25, 0.2, 0.1, 0, 0.1, 0.9, 0.2, 0.2]), 200, 100);
    expect(gt.count).toBe(2);
    expect([...gt.classes]).toEqual([2, 0]);
    expect([...gt.boxes].map((v) => Math.round(v * 1e4) / 1e4)).toEqual([80, 20, 120, 30, 0, 80, 40, 100]);
  });
});
