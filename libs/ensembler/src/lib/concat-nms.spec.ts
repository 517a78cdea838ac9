import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { nonMaxSuppression } from '@vigil/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNms, concatNms, concatNmsEnsemble, runEnsemble } from './concat-nms.js';
import { toyDetect } from '../testing/toy-detector.js';
import { runTta } from './tta.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A second toy model: the same rows with boxes shifted by 3 px (so the two members are distinguishable). */
const shifted = (x: tf.Tensor4D): tf.Tensor3D =>
  tf.tidy(() => tf.add(toyDetect(x), tf.tensor1d([3, 3, 0, 0, 0, 0, 0, 0])) as tf.Tensor3D);
const NAMES = ['a', 'b', 'c'];

describe('runEnsemble (the original Ensemble: concatenate every model × TTA pass)', () => {
  it('concatenates members in order, each with its TTA passes; no leaks', async () => {
    const x = tf.randomUniform([2, 16, 24, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const members = [
      { detect: toyDetect, maxStride: 8, names: NAMES },
      { detect: shifted, maxStride: 8, names: NAMES },
    ];
    const plain = await runEnsemble(members, x, { augment: false });
    const want = tf.tidy(() => tf.concat([toyDetect(x), shifted(x)], 1));
    expect(plain.shape).toEqual([2, 12, 8]);
    expect(plain.dataSync()).toEqual(want.dataSync());
    const tta = await runEnsemble(members, x);
    const t0 = await runTta(toyDetect, x, { gs: 8 });
    const t1 = await runTta(shifted, x, { gs: 8 });
    const wantTta = tf.concat([t0, t1], 1);
    expect(tta.dataSync()).toEqual(wantTta.dataSync());
    tf.dispose([plain, want, tta, t0, t1, wantTta]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects members with different class lists or class counts, without leaking', async () => {
    const x = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    await expect(
      runEnsemble([{ detect: toyDetect, maxStride: 8, names: NAMES }, { detect: toyDetect, maxStride: 8, names: ['a', 'c', 'b'] }], x),
    ).rejects.toThrow(/model 1 has classes \[a, c, b\] but model 0 has \[a, b, c\]/);
    const fourClasses = (t: tf.Tensor4D) => tf.tidy(() => tf.pad(toyDetect(t), [[0, 0], [0, 0], [0, 1]]) as tf.Tensor3D);
    await expect(runEnsemble([{ detect: toyDetect, maxStride: 8 }, { detect: fourClasses, maxStride: 8 }], x)).rejects.toThrow(
      /model 1 returned 4 classes per row but an earlier output had 3/,
    );
    await expect(runEnsemble([{ detect: toyDetect, maxStride: 8, names: ['a', 'b'] }], x)).rejects.toThrow(/predicts 3 classes but has 2 class names/);
    await expect(runEnsemble([], x)).rejects.toThrow(/no models given/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('concat-then-NMS', () => {
  it('batchNms / concatNmsEnsemble run core NMS on every image of the concatenated candidates', async () => {
    const x = tf.randomUniform([2, 16, 24, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const members = [
      { detect: toyDetect, maxStride: 8 },
      { detect: shifted, maxStride: 8 },
    ];
    const before = tf.memory().numTensors;
    const dets = await concatNmsEnsemble(members, x, { nms: { confThres: 0.1, iouThres: 0.7 } });
    expect(tf.memory().numTensors).toBe(before);
    const pred = await runEnsemble(members, x);
    const data = pred.dataSync() as Float32Array;
    const n = pred.shape[1] * 8;
    for (let i = 0; i < 2; i++) {
      const want = nonMaxSuppression(data.subarray(i * n, (i + 1) * n), { numClasses: 3, confThres: 0.1, iouThres: 0.7 });
      expect(dets[i]).toEqual(want);
      expect(want.count).toBeGreaterThan(0);
    }
    expect(await batchNms(pred, { confThres: 0.1, iouThres: 0.7 })).toEqual(dets);
    await expect(batchNms(pred, { numClasses: 2 })).rejects.toThrow(/rows have 8 values but numClasses = 2 needs 7/);
    tf.dispose([x, pred]);
  });

  it('concatNms on CPU arrays equals one NMS over the concatenation; mismatched rows are rejected', () => {
    const a = Float32Array.from([50, 50, 20, 20, 0.9, 0.8, 0.1, 52, 50, 20, 20, 0.8, 0.9, 0.1]);
    const b = Float32Array.from([51, 50, 20, 20, 0.95, 0.9, 0.1]);
    const got = concatNms([a, b], { numClasses: 2, confThres: 0.01, iouThres: 0.5 });
    expect(got).toEqual(nonMaxSuppression(Float32Array.from([...a, ...b]), { numClasses: 2, confThres: 0.01, iouThres: 0.5 }));
    expect(got.count).toBe(2); // one box per class survives
    expect(() => concatNms([a, new Float32Array(8)], { numClasses: 2 })).toThrow(/candidates 1: length 8 is not a multiple of 5 \+ nc = 7/);
  });
});
