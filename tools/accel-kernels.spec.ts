/**
 * A library user who only calls @vigil/runtime's `initBackend()` gets the fused kernels on the accelerated CPU path:
 * @vigil/yolov5 and @vigil/trainer take them from tfjs' registry (names in @vigil/core), no wiring. Counted with
 * `tf.profile` (every kernel the engine runs, nested ones included) over a yolov5n6 eval forward and train steps.
 * Lives in tools because it needs runtime, yolov5 and trainer together.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BN_SILU, BN_SILU_GRAD, CONV_BN_SILU, HYP_SCRATCH_P6, SGD_STEP } from '@vigil/core';
import { initBackend } from '@vigil/runtime';
import { GroupedOptimizer, lossAndGrads } from '@vigil/trainer';
import { YoloModel, loadSpec, resolveSpecPath } from '@vigil/yolov5';
import { describe, expect, it } from 'vitest';

async function kernelCounts(f: () => tf.TensorContainer): Promise<Map<string, number>> {
  const info = await tf.profile(f);
  const n = new Map<string, number>();
  for (const k of info.kernels) n.set(k.name, (n.get(k.name) ?? 0) + 1);
  tf.dispose(info.result);
  return n;
}

describe('fused kernels through the runtime entry alone', () => {
  it('yolov5n6 eval forward and train steps on accel run the registered kernels, not the plain Conv+BN path', async () => {
    const choice = await initBackend({ prefer: 'accel', log: false });
    expect(choice.kind).toBe('accel');
    const model = YoloModel.create(loadSpec(resolveSpecPath('yolov5n6')!, { nc: 7 }), { seed: 0 });
    const units = [...model.variables()].filter(([n]) => n.endsWith('.bn.weight')).length;
    const levels = model.strides.length;
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;

    // Eval: one CONV_BN_SILU a Conv unit; the only plain convolutions are the Detect head's 1×1 convs.
    const inf = await kernelCounts(() => model.predict(x));
    expect(units).toBeGreaterThan(50);
    expect(inf.get(CONV_BN_SILU)).toBe(units);
    expect(inf.get('FusedBatchNorm') ?? 0).toBe(0);
    expect(inf.get('Conv2D') ?? 0).toBe(levels);
    // Control: with the kernels switched off the same forward takes the plain path (BatchNorm and conv per unit).
    model.convKernel = 'off';
    const plain = await kernelCounts(() => model.predict(x));
    model.convKernel = 'auto';
    expect(plain.get(CONV_BN_SILU) ?? 0).toBe(0);
    expect(plain.get('FusedBatchNorm')).toBe(units);

    // Train: every Conv unit's BatchNorm + SiLU (yolov5n6's channel counts are multiples of 8: every fused kernel
    // takes them) forward and backward in the fused kernel; the plain path's moments / rsqrt never run.
    const vars = [...model.variables()].filter(([n]) => !n.endsWith('running_mean') && !n.endsWith('running_var')).map(([, v]) => v);
    const opt = new GroupedOptimizer(vars, { lr: 0.01, momentum: 0.937, weightDecay: 5e-4 });
    const targets = Float32Array.from([0, 1, 0.5, 0.5, 0.3, 0.4, 1, 3, 0.3, 0.6, 0.2, 0.2]);
    const lossOpts = { anchors: model.anchors, strides: model.strides, nc: 7, hyp: HYP_SCRATCH_P6, imgSize: 64 };
    const step = () => {
      const r = lossAndGrads(() => model.forwardTrain(x), targets, lossOpts, vars);
      opt.step(r.grads);
      tf.dispose(Object.values(r.grads));
      return [];
    };
    const first = await kernelCounts(step);
    expect(first.get(BN_SILU)).toBe(units);
    expect(first.get(BN_SILU_GRAD)).toBe(units);
    expect(first.get(CONV_BN_SILU) ?? 0).toBe(0);
    expect(first.get('Rsqrt') ?? 0).toBe(0);
    expect(first.get(SGD_STEP) ?? 0).toBe(0); // the first SGD step creates the momentum buffers with ops (as torch)
    // From the second step on: one SGD_STEP a parameter.
    const second = await kernelCounts(step);
    expect(second.get(SGD_STEP)).toBe(vars.length);
    expect(second.get(BN_SILU)).toBe(units);

    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});
