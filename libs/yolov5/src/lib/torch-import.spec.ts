import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readGolden } from './golden.js';
import { loadTorchModel, readTorchCheckpoint } from './torch-import.js';
import { tinyP6Spec } from './testing.js';

/** Golden data from fixtures/make-pt-golden.py (the original's PyTorch code). */
const fx = (f: string) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
const { meta, tensor: golden } = readGolden<{ params: number; torchTrainFp32Error: number }>(fx('tiny-p6.golden.json'), fx('tiny-p6.golden.bin'));
function maxAbsDiff(a: tf.Tensor, bIn: tf.Tensor | string): number {
  const b = typeof bIn === 'string' ? golden(bIn) : bIn;
  expect(a.shape).toEqual(b.shape);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  if (typeof bIn === 'string') b.dispose();
  return d;
}
/**
 * Decoded rows compared with the boxes scaled to the input size (xywh ÷ 128, the longer side): boxes reach thousands
 * of pixels (wh = (2σ)²·anchor), where float32 itself only resolves ~2e-4; obj/cls probabilities are compared as is.
 */
function decodedDiff(a: tf.Tensor, name: string): number {
  const b = golden(name);
  const scale = tf.tensor1d([128, 128, 128, 128, ...new Array<number>(a.shape[2]! - 4).fill(1)]);
  const d = maxAbsDiff(tf.div(a, scale), tf.div(b, scale));
  tf.dispose([b, scale]);
  return d;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('PyTorch .pt import (golden: the original model at 64×128, batch 2)', () => {
  it('plain state_dict (fp32): eval decoded, eval raw maps match PyTorch to ≤ 1e-4, train raw maps the float64 forward', () => {
    const { model, checkpoint, ignored } = loadTorchModel(fx('tiny-p6.state_dict.pt'), { spec: tinyP6Spec() });
    expect(checkpoint.kind).toBe('state_dict');
    expect(checkpoint.fp16).toBe(false);
    expect(model.parameterCount()).toBe(meta.params);
    expect(ignored.every((n) => n.endsWith('num_batches_tracked') || n.endsWith('anchor_grid'))).toBe(true);
    const x = golden('input') as tf.Tensor4D;
    const { decoded, raw } = model.forwardEval(x, { raw: true });
    for (let l = 0; l < 4; l++) expect(maxAbsDiff(raw![l]!, `eval_raw_${l}`)).toBeLessThanOrEqual(1e-4);
    expect(decodedDiff(decoded, 'eval_decoded')).toBeLessThanOrEqual(1e-4);
    const xt = golden('train_input') as tf.Tensor4D;
    const train = model.forwardTrain(xt);
    // Train mode normalises with batch statistics, so it is checked on a larger input (4×128×256: 32 values per
    // channel at P6) against the float64 forward (≤ 1e-4) and PyTorch's fp32 maps, which are themselves
    // torchTrainFp32Error (~1.1e-4) from it: against those the bound is the sum (our float32 rounding differs from
    // theirs, e.g. the Focus layer runs as the equivalent strided convolution).
    for (let l = 0; l < 4; l++) {
      expect(maxAbsDiff(train[l]!, `train_raw_f64_${l}`)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(train[l]!, `train_raw_${l}`)).toBeLessThanOrEqual(1e-4 + meta.torchTrainFp32Error);
    }
    tf.dispose(xt);
    const rm = model.variables().get('model.0.conv.bn.running_mean')!;
    const rv = model.variables().get('model.0.conv.bn.running_var')!;
    expect(maxAbsDiff(rm, golden('train_running_mean_0'))).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(rv, golden('train_running_var_0'))).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, decoded, ...raw!, ...train]);
    model.dispose();
  });

  it('full checkpoint (fp16, embedded yaml, ema preferred): matches PyTorch with the same fp16 weights; fused too', () => {
    const { model, checkpoint } = loadTorchModel(fx('tiny-p6.ckpt-fp16.pt'));
    expect(checkpoint).toMatchObject({ kind: 'ema', fp16: true, epoch: 3 });
    expect(checkpoint.yaml).toMatchObject({ nc: 7, width_multiple: 0.0625, depth_multiple: 0.33 });
    expect(model.strides).toEqual([8, 16, 32, 64]);
    expect(model.anchors[0]![0]).toEqual([19 / 8, 27 / 8]);
    const x = golden('input') as tf.Tensor4D;
    const { decoded: y, raw } = model.forwardEval(x, { raw: true });
    for (let l = 0; l < 4; l++) expect(maxAbsDiff(raw![l]!, `fp16_eval_raw_${l}`)).toBeLessThanOrEqual(1e-4);
    expect(decodedDiff(y, 'fp16_eval_decoded')).toBeLessThanOrEqual(1e-4);
    model.fuse();
    const z = model.predict(x);
    expect(decodedDiff(z, 'fp16_eval_decoded')).toBeLessThanOrEqual(1e-4);
    // The 'model' entry is a different network: preferring it gives other outputs.
    const other = loadTorchModel(fx('tiny-p6.ckpt-fp16.pt'), { prefer: 'model' });
    expect(other.checkpoint.kind).toBe('model');
    const w = other.model.predict(x);
    expect(decodedDiff(w, 'fp16_eval_decoded')).toBeGreaterThan(1e-2);
    tf.dispose([x, y, z, w, ...raw!]);
    model.dispose();
    other.model.dispose();
  });

  it('loading and disposing leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const { model } = loadTorchModel(fx('tiny-p6.ckpt-fp16.pt'));
    model.dispose();
    expect(() => loadTorchModel(fx('tiny-p6.state_dict.pt'), { spec: tinyP6Spec(3) })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clear errors: truncated, foreign, state_dict without --cfg, wrong spec', () => {
    const bytes = readFileSync(fx('tiny-p6.state_dict.pt'));
    expect(() => readTorchCheckpoint(bytes.subarray(0, bytes.length - 5000), { source: 'cut.pt' })).toThrow(/cut\.pt: .*(damaged or truncated|truncated)/);
    expect(() => readTorchCheckpoint(Buffer.from('hello world'), { source: 'a.txt' })).toThrow(/a\.txt: not a PyTorch \.pt file/);
    expect(() => readTorchCheckpoint(Uint8Array.from([0x80, 0x02, 0x8a, 0x0a]), { source: 'old.pt' })).toThrow(/old\.pt: a legacy \(torch < 1\.6\) \.pt file/);
    expect(() => loadTorchModel(fx('tiny-p6.state_dict.pt'))).toThrow(/a plain state_dict does not say its architecture; pass --cfg/);
    expect(() => loadTorchModel(fx('tiny-p6.state_dict.pt'), { spec: tinyP6Spec(3) })).toThrow(/tensor "model\.33\.m\.0\.weight" has shape \[1,1,16,36\] but the model expects \[1,1,16,24\]; check --cfg \/ nc/);
    expect(() => readTorchCheckpoint('/nonexistent.pt')).toThrow(/\/nonexistent\.pt cannot be read \(ENOENT\)/);
  });
});
