import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { toyDetect } from '../testing/toy-detector.js';
import { batchNms, concatNmsEnsemble } from './concat-nms.js';
import { ensemblePredict } from './ensemble-predict.js';
import { fuseDetections } from './fuse-detections.js';
import { runTta } from './tta.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shifted = (x: tf.Tensor4D): tf.Tensor3D =>
  tf.tidy(() => tf.add(toyDetect(x), tf.tensor1d([2, 1, 0, 0, 0, 0, 0, 0])) as tf.Tensor3D);
const members = [
  { detect: toyDetect, maxStride: 8, names: ['a', 'b', 'c'] },
  { detect: shifted, maxStride: 8, names: ['a', 'b', 'c'] },
];
const NMS = { confThres: 0.05, iouThres: 0.6 };

describe('ensemblePredict', () => {
  it("'concat' is the seed's concat-then-NMS", async () => {
    const x = tf.randomUniform([2, 16, 24, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    expect(await ensemblePredict(members, x, { nms: NMS })).toEqual(await concatNmsEnsemble(members, x, { nms: NMS }));
    x.dispose();
  });

  it('fusion methods: per-model TTA + NMS, then fusion normalised by the batch size; no leaks', async () => {
    const x = tf.randomUniform([2, 16, 24, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const got = await ensemblePredict(members, x, { method: 'wbf', nms: NMS, fuse: { confType: 'max' } });
    expect(tf.memory().numTensors).toBe(before);
    const perModel = [];
    for (const m of members) {
      const y = await runTta(m.detect, x, { gs: 8 });
      perModel.push(await batchNms(y, NMS));
      y.dispose();
    }
    for (let k = 0; k < 2; k++) {
      const want = fuseDetections('wbf', [perModel[0]![k]!, perModel[1]![k]!], { confType: 'max', imageSize: { width: 24, height: 16 } });
      expect(got[k]).toEqual(want);
      expect(want.count).toBeGreaterThan(0);
    }
    for (const method of ['soft-nms', 'nmw'] as const) {
      expect((await ensemblePredict(members, x, { method, nms: NMS, augment: false })).length).toBe(2);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects unknown methods and mismatched class lists', async () => {
    const x = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
    await expect(ensemblePredict(members, x, { method: 'mean' as 'wbf' })).rejects.toThrow(/unknown ensemble method mean/);
    const other = [members[0]!, { ...members[1]!, names: ['a', 'b', 'x'] }];
    await expect(ensemblePredict(other, x, { method: 'nmw' })).rejects.toThrow(/model 1 has classes \[a, b, x\]/);
    const fourClasses = (t: tf.Tensor4D) => tf.tidy(() => tf.pad(toyDetect(t), [[0, 0], [0, 0], [0, 1]]) as tf.Tensor3D);
    const before = tf.memory().numTensors;
    await expect(ensemblePredict([{ detect: toyDetect, maxStride: 8 }, { detect: fourClasses, maxStride: 8 }], x, { method: 'wbf' })).rejects.toThrow(
      /model 1 predicts 4 classes but model 0 predicts 3/,
    );
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
