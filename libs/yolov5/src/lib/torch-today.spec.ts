import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readGolden } from './golden.js';
import { YoloModel } from './model.js';
import { resolveSpec } from './spec.js';
import { loadTorchModel, readTorchCheckpoint } from './torch-import.js';
import { readWeightsFile, transferWeights } from './weights-file.js';
import { tinyP5Spec } from './testing.js';

/** Golden data from fixtures/make-pt-today.py (today's ultralytics/yolov5 code and train.py save format). */
const fx = (f: string) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const PT = fx('today-n.ckpt.pt');
const { meta, tensor: golden } = readGolden<{ params: number; stateDictSize: number }>(fx('today-n.golden.json'), fx('today-n.golden.bin'));
function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("today's ultralytics/yolov5 checkpoints (DetectionModel, SPPF, 6×6 stem, fp16 model/ema, names dict)", () => {
  it('loads for inference and matches PyTorch within 1e-4 (raw maps and decoded boxes ÷ 64)', () => {
    const warnings: string[] = [];
    const { model, checkpoint } = loadTorchModel(PT, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(checkpoint).toMatchObject({ kind: 'ema', fp16: true, epoch: 2 });
    expect(checkpoint.names).toHaveLength(80);
    expect(checkpoint.names![79]).toBe('class79');
    expect(model.names[3]).toBe('class3');
    expect(model.strides).toEqual([8, 16, 32]);
    expect(model.parameterCount()).toBe(meta.params);
    // + BN running stats, − num_batches_tracked: the same tensor count as PyTorch's state_dict minus those buffers
    expect(model.variableNames().length).toBe(meta.stateDictSize - 57 - 1);
    const x = golden('input') as tf.Tensor4D;
    const { decoded, raw } = model.forwardEval(x, { raw: true });
    for (let l = 0; l < 3; l++) {
      const g = golden(`eval_raw_${l}`);
      expect(maxAbsDiff(raw![l]!, g)).toBeLessThanOrEqual(1e-4);
      g.dispose();
    }
    const g = golden('eval_decoded');
    const scale = tf.tensor1d([64, 64, 64, 64, ...new Array<number>(81).fill(1)]);
    const d = tf.tidy(() => maxAbsDiff(tf.div(decoded, scale), tf.div(g, scale)));
    expect(d).toBeLessThanOrEqual(1e-4);
    tf.dispose([x, decoded, ...raw!, g, scale]);
    model.dispose();
  });

  it('transfer to nc 3: every tensor but the Detect head is copied, the head keeps its initialisation', () => {
    const before = tf.memory().numTensors;
    const file = readWeightsFile(PT, { warn: () => undefined });
    expect(file.kind).toBe('pytorch');
    const spec = resolveSpec(file.spec!, { nc: 3, source: 'today (embedded yaml)' });
    const model = YoloModel.create(spec, { seed: 1, names: ['a', 'b', 'c'] });
    const head0 = model.variables().get('model.24.m.0.weight')!.dataSync().slice();
    const res = transferWeights(model, file, { anchors: true });
    expect(res.total).toBe(model.variableNames().length);
    expect(res.loaded.length).toBe(res.total - 6);
    expect(res.reinitialised.sort()).toEqual(['model.24.m.0.bias', 'model.24.m.0.weight', 'model.24.m.1.bias', 'model.24.m.1.weight', 'model.24.m.2.bias', 'model.24.m.2.weight']);
    expect(model.variables().get('model.24.m.0.weight')!.dataSync()).toEqual(head0);
    const w = file.weights.get('model.0.conv.weight')!;
    expect(model.variables().get('model.0.conv.weight')!.dataSync()).toEqual(w.data);
    expect(model.anchors).toEqual(file.anchors);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a transfer of fewer than half of the tensors, naming the reason (another architecture); a related one transfers in part', () => {
    const file = readWeightsFile(PT, { warn: () => undefined });
    // the same rows at another width (yolov5n at 0.25): every convolution has another shape
    const model = YoloModel.create(resolveSpec({ ...file.spec!, width_multiple: 0.25 }, { nc: 3 }), { seed: 1 });
    expect(() => transferWeights(model, file, { modelName: 'yolov5n' })).toThrow(
      /today-n\.ckpt\.pt: transferred \d+\/\d+ tensors into yolov5n \(nc 3\), fewer than half: of the file's \d+, \d+ have another shape \(e\.g\. model\.0\.conv\.weight: checkpoint \[6,6,3,8\] vs model \[6,6,3,16\]\).*pass the --cfg they were trained with \(the file's own spec: depth_multiple 0\.33, width_multiple 0\.0625, 25 rows, nc 80\)$/,
    );
    model.dispose();
    // the original's v5.0 yolov5s rows share all but the stem and SPP(F) with today's: a partial transfer, as intersect_dicts
    const p5 = YoloModel.create(tinyP5Spec(3), { seed: 1 });
    const res = transferWeights(p5, file);
    expect(res.loaded.length).toBeGreaterThan(100);
    expect(res.loaded).not.toContain('model.0.conv.weight');
    p5.dispose();
  });

  it('reads the checkpoint without complaint about its globals; names the foreign ones of a crafted pickle', () => {
    const ck = readTorchCheckpoint(PT, { warn: () => undefined });
    expect(ck.foreignGlobals).toEqual([]);
  });
});
