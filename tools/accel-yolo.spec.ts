/**
 * @vigil/cpu-accel's fused Conv+BN+SiLU kernels, which @vigil/yolov5 takes from tfjs' registry once the runtime has
 * activated the accelerated backend, give
 * the same train-mode loss, gradients, running statistics and eval output as the reference: the model's plain tfjs ops
 * on the (patched) stock cpu backend. Lives in tools because it needs both libraries (they may not import each other).
 * Measured: gradients within 4e-4 (L2, relative) of the reference, where the plain wasm ops are 3e-3 off (wasm's
 * float32 sequential reductions in BatchNorm; the fused kernel accumulates in double).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@vigil/runtime';
import { YoloModel, tinyP6Spec } from '@vigil/yolov5';
import { describe, expect, it } from 'vitest';

async function run(backend: 'cpu' | 'accel') {
  await initBackend({ prefer: backend, log: false });
  const m = YoloModel.create(tinyP6Spec(), { seed: 3 });
  const x = tf.randomUniform([2, 128, 128, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const names = new Map([...m.variables()].map(([n, v]) => [v.name, n]));
  const { value, grads } = tf.variableGrads(() => tf.addN(m.forwardTrain(x).map((t) => tf.mean(tf.square(t)))) as tf.Scalar);
  const g = new Map(Object.entries(grads).map(([id, t]) => [names.get(id)!, t.dataSync().slice()]));
  const stats = new Map([...m.variables()].filter(([n]) => n.endsWith('running_var')).map(([n, v]) => [n, v.dataSync().slice()]));
  const pred = m.predict(x);
  const out = pred.dataSync().slice();
  const loss = value.dataSync()[0]!;
  tf.dispose([x, value, pred, ...Object.values(grads)]);
  m.dispose();
  return { loss, g, stats, out };
}

describe('accelerated Conv+BN+SiLU in the yolov5 model', () => {
  it('matches the reference in train mode (loss, gradients, running stats) and eval mode; no leaks', async () => {
    const plain = await run('cpu');
    const before = tf.memory().numTensors;
    const fused = await run('accel');
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(fused.loss - plain.loss) / plain.loss).toBeLessThan(1e-5);
    for (const [name, ref] of plain.g) {
      const got = fused.g.get(name)!;
      let norm = 0, diff = 0;
      for (let i = 0; i < ref.length; i++) {
        norm += ref[i]! ** 2;
        diff += (ref[i]! - got[i]!) ** 2;
      }
      expect(Math.sqrt(diff / (norm || 1)), name).toBeLessThan(1e-3);
    }
    for (const [name, ref] of plain.stats) {
      const got = fused.stats.get(name)!;
      for (let i = 0; i < ref.length; i++) expect(Math.abs(ref[i]! - got[i]!), name).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[i]!)));
    }
    // Decoded output: boxes compared relative to the input size, probabilities as they are.
    let d = 0;
    for (let i = 0; i < plain.out.length; i++) d = Math.max(d, Math.abs(plain.out[i]! - fused.out[i]!) / (i % 12 < 4 ? 128 : 1));
    expect(d).toBeLessThan(1e-4);
  });
});
