import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { ComputeLossOptions } from './compute-loss.js';
import { HYP_SCRATCH_P6 } from './hyp.js';
import { lossAndGrads } from './loss-grads.js';
import { ModelEma } from './model-ema.js';
import { GradientAccumulator, GroupedOptimizer } from './optimizer.js';
import { scaleWeightDecay, TrainSchedule } from './schedule.js';

/** A toy detection head: fixed random features → 1×1 conv (+ BN-like scale) → [B, ny, nx, na, 5+nc]. */
function toyHead(seed: number) {
  const B = 2;
  const ny = 8;
  const nx = 8;
  const C = 6;
  const na = 3;
  const nc = 2;
  const feats = tf.randomNormal([B, ny, nx, C], 0, 1, 'float32', seed);
  const kernel = tf.variable(tf.randomNormal([1, 1, C, na * (5 + nc)], 0, 0.1, 'float32', seed + 1), true, `toy${seed}/m.0.weight`);
  const gamma = tf.variable(tf.ones([C]), true, `toy${seed}/m.0.bn.weight`);
  const bias = tf.variable(tf.zeros([na * (5 + nc)]), true, `toy${seed}/m.0.bias`);
  const forward = () => [tf.reshape(tf.add(tf.conv2d(tf.mul(feats, gamma) as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid'), bias), [B, ny, nx, na, 5 + nc])];
  const vars = [gamma, kernel, bias];
  const opts: ComputeLossOptions = {
    anchors: [
      [
        [1, 1.5],
        [2, 2],
        [3, 1.5],
      ],
    ],
    strides: [8],
    nc,
    hyp: HYP_SCRATCH_P6,
    imgSize: 64,
  };
  const targets = new Float32Array([0, 0, 0.3, 0.3, 0.2, 0.25, 0, 1, 0.7, 0.6, 0.3, 0.2, 1, 1, 0.5, 0.5, 0.15, 0.3]);
  return { feats, vars, forward, opts, targets, B };
}

describe('loss + schedule + accumulation + optimizer + EMA together', () => {
  // nominal batch 4 instead of 64 so that a 2-image batch accumulates over 1–2 batches (steps happen in 30 iterations)
  it('a few warmup iterations lower the loss, free every intermediate tensor, and the EMA follows', () => {
    const h = toyHead(1);
    const sched = new TrainSchedule({ hyp: HYP_SCRATCH_P6, epochs: 3, batchesPerEpoch: 10, batch: h.B, warmupMinIters: 20, nbs: 4 });
    const opt = new GroupedOptimizer(h.vars, { lr: HYP_SCRATCH_P6.lr0, momentum: HYP_SCRATCH_P6.momentum, weightDecay: scaleWeightDecay(HYP_SCRATCH_P6.weight_decay, h.B, 4) });
    expect(opt.groupNames(0)).toEqual(['toy1/m.0.bn.weight']);
    const acc = new GradientAccumulator();
    const start = tf.memory().numTensors;
    const ema = new ModelEma(Object.fromEntries(h.vars.map((v) => [v.name, v])));
    const losses: number[] = [];
    let steps = 0;
    for (let ni = 0; ni < 30; ni++) {
      sched.beginIteration(ni, Math.floor(ni / 10));
      const { grads, loss, items } = lossAndGrads(h.forward, h.targets, h.opts, h.vars);
      expect(Number.isFinite(loss)).toBe(true);
      expect(items[3]! * h.B).toBeCloseTo(loss, 4);
      losses.push(loss);
      acc.add(grads);
      tf.dispose(Object.values(grads));
      if (sched.isStepIteration(ni)) {
        opt.setHyper(sched.lr, sched.momentum);
        opt.step(acc.grads);
        acc.zero();
        ema.update(Object.fromEntries(h.vars.map((v) => [v.name, v])));
        steps++;
      }
      if (ni % 10 === 9) sched.endEpoch();
      if (ni === 0) expect(tf.memory().numTensors).toBe(start + 6); // + 3 EMA copies and 3 momentum buffers, nothing else
    }
    expect(steps).toBeGreaterThan(3);
    // small warmup learning rates: the loss falls slowly but never rises
    losses.forEach((l, i) => expect(l).toBeLessThanOrEqual((losses[i - 1] ?? l) + 1e-6));
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.95);
    expect(ema.updates).toBe(steps);
    acc.zero();
    opt.dispose();
    ema.dispose();
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([h.feats, ...h.vars]);
  });
});
