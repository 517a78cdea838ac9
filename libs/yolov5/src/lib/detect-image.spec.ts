import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createImage, nonMaxSuppression, scaleCoords } from '@vigil/core';
import type { ImageU8 } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectImage } from './detect-image.js';
import { YoloModel } from './model.js';
import { tinyP5Spec } from './testing.js';

let model: YoloModel;

/** A deterministic colour pattern (not constant, so the forward pass is not trivially uniform). */
function pattern(width: number, height: number): ImageU8 {
  const img = createImage(width, height, 3);
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37 + ((i / (width * 3)) | 0) * 11) % 256;
  return img;
}

/**
 * Detect head set by hand: conv weights 0, so every cell decodes to a box of anchor size centred on the cell
 * (σ(0) = 0.5 ⇒ xy = (0.5 + grid)·stride, wh = anchor); objectness on only at level `level`, anchor 0, and class `cls`
 * wins with logit 10, so score = σ(10)².
 */
function setHead(m: YoloModel, level: number, cls: number): void {
  const no = 5 + m.nc;
  for (const [name, v] of m.variables()) {
    const match = /^model\.(\d+)\.m\.(\d+)\.(weight|bias)$/.exec(name);
    if (!match || Number(match[1]) !== m.spec.layers.length - 1) continue;
    const data = new Float32Array(v.size);
    if (match[3] === 'bias') {
      data.fill(-20);
      for (let a = 0; a < m.na; a++) for (let k = 0; k < 4; k++) data[a * no + k] = 0;
      if (Number(match[2]) === level) {
        data[4] = 10;
        data[5 + cls] = 10;
      }
    }
    const t = tf.tensor(data, v.shape);
    v.assign(t);
    t.dispose();
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = YoloModel.create(tinyP5Spec(3), { seed: 3, names: ['cat', 'acanthus', 'allium'] });
});
afterAll(() => model.dispose());

describe('detectImage', () => {
  it('equals eval forward → NMS → scaleCoords done by hand, and leaves no tensor behind', () => {
    const img = pattern(96, 64);
    const opts = { confThres: 0.001, iouThres: 0.6, maxDet: 50 };
    const before = tf.memory().numTensors;
    const det = detectImage(model, img, { ...opts, originalShape: [120, 180] });
    expect(tf.memory().numTensors).toBe(before);

    const x = tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(img.data), [1, 64, 96, 3]), 255) as tf.Tensor4D);
    const out = model.forwardEval(x).decoded;
    const ref = nonMaxSuppression(out.dataSync() as Float32Array, { numClasses: 3, ...opts, multiLabel: false });
    tf.dispose([x, out]);
    scaleCoords([64, 96], ref.boxes, [120, 180]);
    expect(det.count).toBeGreaterThan(0);
    expect(det.count).toBe(ref.count);
    expect(Array.from(det.classes)).toEqual(Array.from(ref.classes));
    expect(Array.from(det.scores)).toEqual(Array.from(ref.scores));
    expect(Array.from(det.boxes)).toEqual(Array.from(ref.boxes));
  });

  it('finds the boxes a hand-set head produces: class, score σ(10)², anchor-sized boxes on the stride grid', () => {
    const m = model.clone();
    try {
      setHead(m, 2, 1); // level 2 = stride 32, anchor 0 of P5/32 = 116×90 px
      const det = detectImage(m, pattern(64, 64), { iouThres: 0.99 });
      const score = 1 / (1 + Math.exp(-10));
      // 2×2 cells at stride 32; centres (16|48, 16|48); boxes 116×90 (x1 = cx − 58, y1 = cy − 45).
      expect(det.count).toBe(4);
      expect(Array.from(det.classes)).toEqual([1, 1, 1, 1]);
      for (const s of det.scores) expect(s).toBeCloseTo(score * score, 6);
      const boxes = [];
      for (let i = 0; i < det.count; i++) boxes.push(Array.from(det.boxes.subarray(4 * i, 4 * i + 4)));
      boxes.sort((a, b) => a[1]! - b[1]! || a[0]! - b[0]!);
      const expected = [16, 48].flatMap((cy) => [16, 48].map((cx) => [cx - 58, cy - 45, cx + 58, cy + 45]));
      for (let i = 0; i < 4; i++) for (let k = 0; k < 4; k++) expect(boxes[i]![k]).toBeCloseTo(expected[i]![k]!, 3);

      // Mapped back to a 128×128 original (gain 0.5, no padding) and clipped to it.
      const big = detectImage(m, pattern(64, 64), { iouThres: 0.99, originalShape: [128, 128] });
      const b0 = Array.from(big.boxes.subarray(0, 4));
      for (const v of b0) expect(v).toBeGreaterThanOrEqual(0);
      for (const v of b0) expect(v).toBeLessThanOrEqual(128);
      // Class filter and agnostic NMS go through to NMS.
      expect(detectImage(m, pattern(64, 64), { classes: [0] }).count).toBe(0);
      expect(detectImage(m, pattern(64, 64), { agnostic: true, iouThres: 0.1 }).count).toBe(1);
    } finally {
      m.dispose();
    }
  });

  it('treats a grey image as its RGB replica', () => {
    const grey = createImage(64, 32, 1);
    for (let i = 0; i < grey.data.length; i++) grey.data[i] = (i * 13) % 256;
    const rgb = createImage(64, 32, 3);
    for (let i = 0; i < grey.data.length; i++) rgb.data.fill(grey.data[i]!, 3 * i, 3 * i + 3);
    const a = detectImage(model, grey, { confThres: 0.001 });
    const b = detectImage(model, rgb, { confThres: 0.001 });
    expect(a.count).toBeGreaterThan(0);
    expect(Array.from(a.boxes)).toEqual(Array.from(b.boxes));
    expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
  });

  it('returns no detections when nothing passes the threshold', () => {
    const det = detectImage(model, pattern(32, 32), { confThres: 0.999 });
    expect(det.count).toBe(0);
    expect(det.boxes.length).toBe(0);
  });

  it('rejects an image whose size is not a multiple of the largest stride, and inconsistent pixel data', () => {
    expect(() => detectImage(model, pattern(40, 32))).toThrow(/40×32.*divisible by its largest stride 32.*letterbox/);
    expect(() => detectImage(model, { data: new Uint8Array(10), width: 32, height: 32, channels: 3 })).toThrow(/10 bytes, expected 32×32×3/);
  });
});
