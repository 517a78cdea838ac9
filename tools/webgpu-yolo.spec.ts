/**
 * The webgpu backend (@vigil/webgpu through @vigil/runtime) trains and detects as the reference, the model's plain
 * tfjs ops on the (patched) stock cpu backend: one yolov5 training step (ComputeLoss, backward, two SGD steps) gives
 * the same loss, gradients, BatchNorm running statistics and parameters, and a trained checkpoint gives the same
 * detections (IoU ≥ 0.99, scores ±1e-3). The yolov5n6 structure at width 0.0625 (tinyP6Spec), 128 px, batch 2:
 * SwiftShader (CI) emulates the GPU on the CPU. Lives in tools because it needs runtime, yolov5 and trainer together.
 * Measured here: gradients within 3.4e-4 (L2, relative) of the reference, the cpu-accel path within 4e-4.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Detections } from '@vigil/core';
import { initBackend } from '@vigil/runtime';
import { HYP_SCRATCH_P6, GroupedOptimizer, ToyDetectionData, fit, lossAndGrads } from '@vigil/trainer';
import { YoloModel, checkpointFromModel, decodeCheckpoint, detectImage, encodeCheckpoint, modelFromCheckpoint, tinyP6Spec } from '@vigil/yolov5';
import { describe, expect, it } from 'vitest';

async function webgpuSkip(): Promise<string | undefined> {
  try {
    await initBackend({ prefer: 'webgpu', log: false });
    return undefined;
  } catch (e) {
    if (process.env['CI']) throw e; // CI installs SwiftShader: no adapter is a failure there
    return `no WebGPU adapter here: ${(e as Error).message}`;
  }
}
const skip = await webgpuSkip();
if (skip) console.warn(`webgpu-yolo tests skipped: ${skip}`);

const IMG = 128;
const TARGETS = new Float32Array([0, 0, 0.4, 0.5, 0.3, 0.25, 0, 1, 0.7, 0.6, 0.2, 0.3, 1, 1, 0.5, 0.5, 0.4, 0.4, 1, 0, 0.2, 0.7, 0.15, 0.2]);

/** One training step on `backend`: loss, gradients, running statistics after it, the update of two SGD steps. */
async function trainStep(backend: 'cpu' | 'webgpu') {
  await initBackend({ prefer: backend, log: false });
  const model = YoloModel.create(tinyP6Spec(2), { seed: 3, names: ['a', 'b'] });
  const before = tf.memory().numTensors;
  const params = [...model.variables()].filter(([, v]) => v.trainable);
  const vars = params.map(([, v]) => v);
  const x = tf.randomUniform([2, IMG, IMG, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const opts = { anchors: model.anchors, strides: model.strides, nc: model.nc, hyp: HYP_SCRATCH_P6, imgSize: IMG, batch: 2 };
  const r = lossAndGrads(() => model.forwardTrain(x), TARGETS, opts, vars);
  x.dispose();
  const grads = new Map(params.map(([n, v]) => [n, Float32Array.from(r.grads[v.name]!.dataSync())]));
  const stats = new Map([...model.variables()].filter(([n]) => /running_(mean|var)$/.test(n)).map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
  const initial = params.map(([, v]) => Float32Array.from(v.dataSync()));
  const opt = new GroupedOptimizer(vars, { lr: 0.01, momentum: 0.937, weightDecay: 5e-4, nesterov: true });
  opt.step(r.grads);
  opt.step(r.grads);
  tf.dispose(Object.values(r.grads));
  opt.dispose();
  const leaked = tf.memory().numTensors - before;
  // the update rather than the parameters: zero-initialised biases are their update
  const update = new Map(params.map(([n, v], i) => [n, Float32Array.from(v.dataSync(), (p, k) => p - initial[i]![k]!)]));
  model.dispose();
  return { loss: r.loss, items: r.items, grads, stats, update, leaked };
}

function l2Rel(ref: Float32Array, got: Float32Array): number {
  let norm = 0;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) {
    norm += ref[i]! ** 2;
    diff += (ref[i]! - got[i]!) ** 2;
  }
  return Math.sqrt(diff / (norm || 1));
}

function iou(a: readonly number[], b: readonly number[]): number {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  return inter / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter);
}

/** Every detection of `a` clearly above the threshold has its twin in `b`: same class, IoU ≥ 0.99, score ±1e-3. */
function expectCovered(a: Detections, b: Detections, conf: number, what: string): void {
  for (let i = 0; i < a.scores.length; i++) {
    if (a.scores[i]! < conf + 1e-3) continue;
    const box = Array.from(a.boxes.subarray(i * 4, i * 4 + 4));
    let best = 0;
    let dScore = Infinity;
    for (let j = 0; j < b.scores.length; j++) {
      if (b.classes[j] !== a.classes[i]) continue;
      const o = iou(box, Array.from(b.boxes.subarray(j * 4, j * 4 + 4)));
      if (o > best) {
        best = o;
        dScore = Math.abs(b.scores[j]! - a.scores[i]!);
      }
    }
    expect(best, `${what}: detection ${i} (class ${a.classes[i]}, score ${a.scores[i]})`).toBeGreaterThanOrEqual(0.99);
    expect(dScore, `${what}: detection ${i} score`).toBeLessThanOrEqual(1e-3);
  }
}

describe.skipIf(skip !== undefined)('yolov5 on webgpu against the cpu backend', () => {
  it('a training step: loss, gradients, BN running statistics and the SGD update; no leaks', { timeout: 600_000 }, async () => {
    const ref = await trainStep('cpu');
    const got = await trainStep('webgpu');
    expect(got.leaked).toBe(0);
    expect(ref.loss).toBeGreaterThan(0);
    expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    for (let k = 0; k < 4; k++) expect(Math.abs(got.items[k]! - ref.items[k]!), `loss item ${k}`).toBeLessThan(1e-4 * Math.max(ref.items[k]!, 1e-3));
    for (const [name, g] of ref.grads) expect(l2Rel(g, got.grads.get(name)!), name).toBeLessThan(1e-3);
    for (const [name, s] of ref.stats) {
      const w = got.stats.get(name)!;
      for (let i = 0; i < s.length; i++) expect(Math.abs(s[i]! - w[i]!), name).toBeLessThan(1e-4 * Math.max(1, Math.abs(s[i]!)));
    }
    for (const [name, u] of ref.update) expect(l2Rel(u, got.update.get(name)!), name).toBeLessThan(1e-3);
  });

  it('a trained checkpoint gives the same detections', { timeout: 600_000 }, async () => {
    // a few epochs on the toy set (accelerated CPU path), through a checkpoint's bytes as the apps load it
    const data = new ToyDetectionData(16, IMG, 2, 4);
    await initBackend({ prefer: 'accel', log: false });
    const trained = YoloModel.create(tinyP6Spec(2), { seed: 1, names: ['a', 'b'] });
    await fit({ model: trained, hyp: { ...HYP_SCRATCH_P6, lr0: 0.02 }, epochs: 6, batchSize: 4, imgSize: IMG, source: data.source(4), seed: 7, nbs: 4, warmupMinIters: 4 });
    const bytes = encodeCheckpoint(checkpointFromModel(trained));
    trained.dispose();
    const conf = 0.006; // vigil-predict's default (the competition's predict.py)
    const images = data.images.slice(0, 3).map((f) => ({ data: Uint8Array.from(f, (v) => Math.round(v * 255)), width: IMG, height: IMG, channels: 3 as const }));
    const detect = async (backend: 'cpu' | 'webgpu') => {
      await initBackend({ prefer: backend, log: false });
      const m = modelFromCheckpoint(decodeCheckpoint(bytes));
      const before = tf.memory().numTensors;
      const out = images.map((im) => detectImage(m, im, { confThres: conf }));
      expect(tf.memory().numTensors).toBe(before);
      m.dispose();
      return out;
    };
    const ref = await detect('cpu');
    const got = await detect('webgpu');
    expect(ref.reduce((n, d) => n + d.scores.length, 0)).toBeGreaterThan(0);
    ref.forEach((r, i) => {
      expectCovered(r, got[i]!, conf, `image ${i}, cpu → webgpu`);
      expectCovered(got[i]!, r, conf, `image ${i}, webgpu → cpu`);
    });
  });
});
