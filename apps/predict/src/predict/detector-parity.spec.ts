import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { load } from '@vigil/detector';
import { checkpointFromModel, saveCheckpoint, tinyP6Spec, YoloModel } from '@vigil/yolov5';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanImages } from './images.js';
import { loadModels } from './models.js';
import { predictImages } from './run-predict.js';

const val = fileURLToPath(new URL('../../../../data-samples/getty-pets/images/val/', import.meta.url));
const files = ['val_0000.jpg', 'val_0001.webp', 'val_0003.bmp', 'val_0007.png'].map((f) => join(val, f));
const weights = join(mkdtempSync(join(tmpdir(), 'vigil parity ')), 'tiny.vckpt');

beforeAll(async () => {
  await tf.setBackend('cpu');
  const m = YoloModel.create(tinyP6Spec(3), { seed: 2, names: ['cat', 'dog', 'other'] });
  saveCheckpoint(weights, checkpointFromModel(m));
  m.dispose();
});

describe('@vigil/detector gives vigil-predict’s numbers (one model, no TTA, same conf/IoU)', () => {
  it('same boxes, scores and classes on every image, bit for bit', async () => {
    const o = { imgSize: 192, confThres: 0.003, iouThres: 0.6 };
    const loaded = loadModels([weights]);
    const run = await predictImages(await scanImages(files), loaded, {
      ...o,
      batchSize: 1,
      augment: false,
      ensemble: 'concat',
      emptyObjects: 'dict',
      progress: false,
    });
    loaded.dispose();
    // vigil-predict's NMS is the original test.py's: every passing class, at most 300 boxes
    const d = await load(weights, { ...o, multiLabel: true, maxDet: 300 });
    let total = 0;
    for (const f of files) {
      const want = run.detections.get(f)!;
      const got = await d.detect(f);
      expect(got.length).toBe(want.count);
      total += got.length;
      got.forEach((g, j) => {
        const [x1, y1, x2, y2] = want.boxes.subarray(4 * j, 4 * j + 4);
        expect(g.bbox).toEqual([x1, y1, x2! - x1!, y2! - y1!]);
        expect(g.score).toBe(want.scores[j]);
        expect(g.classId).toBe(want.classes[j]);
      });
    }
    expect(total).toBeGreaterThan(10);
    d.dispose();
  });
});
