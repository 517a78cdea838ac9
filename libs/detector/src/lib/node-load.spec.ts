import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImage } from '@vigil/dataset';
import { checkpointFromModel, saveCheckpoint, tinyP5Spec, YoloModel } from '@vigil/yolov5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from './detector.js';
import { load, type NodeDetectorInput } from './node-load.js';

const image = fileURLToPath(new URL('../../../../data-samples/getty-pets/images/val/val_0000.jpg', import.meta.url));
const image2 = fileURLToPath(new URL('../../../../data-samples/getty-pets/images/val/val_0001.webp', import.meta.url));
const ptFixture = fileURLToPath(new URL('../../../yolov5/src/lib/fixtures/tiny-p6.ckpt-fp16.pt', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vigil detector '));
const weights = join(dir, 'tiny p5.vckpt');
// A seeded untrained model: low confidence threshold so that it yields many boxes to compare.
const options = { imgSize: 160, confThres: 0.002, iouThres: 0.6 };
let d: Detector<NodeDetectorInput>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const m = YoloModel.create(tinyP5Spec(3), { seed: 4, names: ['cat', 'dog', 'eye_closed'] });
  saveCheckpoint(weights, checkpointFromModel(m));
  m.dispose();
  d = await load(weights, options);
});
afterAll(() => d.dispose());

describe('@vigil/detector (Node entry)', () => {
  it('detects on an image path: tfjs-models objects in the image pixels, sorted by score', async () => {
    const rgb = await decodeImage(image);
    const dets = await d.detect(image);
    expect(dets.length).toBeGreaterThan(0);
    expect(d.classNames).toEqual(['cat', 'dog', 'eye_closed']);
    expect(d.imgSize).toBe(160);
    for (const [k, o] of dets.entries()) {
      const [x, y, w, h] = o.bbox;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(w).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(rgb.width);
      expect(y + h).toBeLessThanOrEqual(rgb.height);
      expect(o.class).toBe(d.classNames[o.classId]);
      expect(o.score).toBeGreaterThan(options.confThres);
      if (k > 0) expect(o.score).toBeLessThanOrEqual(dets[k - 1]!.score);
    }
  });

  it('gives the same detections for every input kind: path, Buffer, ImageU8, ImageData-like RGBA, tf.Tensor3D', async () => {
    const ref = await d.detect(image);
    const rgb = await decodeImage(image);
    const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
    for (let i = 0; i < rgb.width * rgb.height; i++) {
      rgba.set(rgb.data.subarray(3 * i, 3 * i + 3), 4 * i);
      rgba[4 * i + 3] = 255;
    }
    const tensor = tf.tensor3d(Int32Array.from(rgb.data), [rgb.height, rgb.width, 3], 'int32');
    expect(await d.detect(readFileSync(image))).toEqual(ref);
    expect(await d.detect(rgb)).toEqual(ref);
    expect(await d.detect({ data: rgba, width: rgb.width, height: rgb.height })).toEqual(ref);
    expect(await d.detect(tensor)).toEqual(ref);
    tensor.dispose();
  });

  it('detectBatch equals detect on each image, in order', async () => {
    const [a, b, c] = await d.detectBatch([image, image2, readFileSync(image)]);
    expect(a).toEqual(await d.detect(image));
    expect(b).toEqual(await d.detect(image2));
    expect(c).toEqual(a);
    expect(await d.detectBatch([])).toEqual([]);
  });

  it('loads from bytes, a file: URL and a YOLOv5 .pt', async () => {
    const ref = await d.detect(image);
    const bytes = readFileSync(weights);
    for (const src of [bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), pathToFileURL(weights), bytes]) {
      const other = await load(src, options);
      expect(await other.detect(image)).toEqual(ref);
      other.dispose();
    }
    const pt = await load(ptFixture, { imgSize: 128 });
    expect(pt.classNames.length).toBe(7);
    expect(Array.isArray(await pt.detect(image))).toBe(true);
    pt.dispose();
  });

  it('leaves no tensor behind (detect, detectBatch, load + dispose)', async () => {
    await d.detect(image);
    const before = tf.memory().numTensors;
    await d.detect(image);
    await d.detectBatch([image, image2]);
    expect(tf.memory().numTensors).toBe(before);
    const other = await load(weights, options);
    await other.detect(image);
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports bad options, inputs and weights in one line', async () => {
    await expect(load(weights, { confThres: 2 })).rejects.toThrow(/^detector option confThres = 2: expected a number in \[0, 1\]$/);
    await expect(load(weights, { classes: [3] })).rejects.toThrow(/detector option classes = 3: expected class ids in \[0, 2\] \(the model has 3 classes\)/);
    await expect(load(join(dir, 'missing.vckpt'))).rejects.toThrow(/weights .*missing\.vckpt cannot be read \(ENOENT\)/);
    await expect(d.detect({} as NodeDetectorInput)).rejects.toThrow(/^detect: unsupported input/);
    await expect(d.detect(join(dir, 'no such.jpg'))).rejects.toThrow(/cannot read image .*no such\.jpg/);
    const t = tf.zeros([4, 4]) as unknown as tf.Tensor3D;
    await expect(d.detect(t)).rejects.toThrow(/a tensor input must be \[height, width, 1\|3\|4\]/);
    t.dispose();
    const gone = await load(weights, options);
    gone.dispose();
    await expect(gone.detect(image)).rejects.toThrow(/this detector has been disposed/);
  });
});
