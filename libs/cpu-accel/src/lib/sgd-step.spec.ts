import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateCpuAccel } from './accelerator.js';
import { SGD_STEP, type SgdStepAttrs } from '@vigil/core';
import { randomArray } from './test-helpers.js';

/** The update as @vigil/trainer's GroupedOptimizer writes it in tfjs ops. */
function plainOps(p: tf.Tensor, g: tf.Tensor, buf: tf.Tensor, lr: number, wd: number, mom: number, nesterov: boolean): [tf.Tensor, tf.Tensor] {
  let d = wd !== 0 ? tf.add(g, tf.mul(p, tf.scalar(wd))) : g;
  const b = tf.add(tf.mul(buf, tf.scalar(mom)), d);
  d = nesterov ? tf.add(d, tf.mul(b, tf.scalar(mom))) : b;
  return [tf.sub(p, tf.mul(d, tf.scalar(lr))), b];
}

/** The registered SGD_STEP kernel, as @vigil/trainer's optimizer runs it. */
function sgdStep(param: tf.Tensor, grad: tf.Tensor, buf: tf.Tensor, attrs: SgdStepAttrs): { param: tf.Tensor; buf: tf.Tensor } {
  const [p, b] = tf.engine().runKernel(SGD_STEP, { param, grad, buf }, attrs as unknown as NamedAttrMap) as tf.Tensor[];
  return { param: p!, buf: b! };
}

describe('SGD_STEP kernel (fused SGD-with-momentum update on the wasm backend)', () => {
  beforeAll(async () => {
    await activateCpuAccel({ kernels: 'portable', threads: 1 });
  });

  const cases = [
    { n: 37, wd: 5e-4, nesterov: true },
    { n: 1000, wd: 0, nesterov: true },
    { n: 64, wd: 5e-4, nesterov: false },
  ];
  for (const c of cases) {
    it(`equals the optimizer's tfjs ops bit for bit (n ${c.n}, wd ${c.wd}, nesterov ${c.nesterov}) and the cpu backend`, async () => {
      const build = (fused: boolean) => () => {
        const p = tf.tensor1d(randomArray(c.n, 1, 2)), g = tf.tensor1d(randomArray(c.n, 2)), buf = tf.tensor1d(randomArray(c.n, 3));
        if (!fused) return plainOps(p, g, buf, 0.0137, c.wd, 0.937, c.nesterov);
        const r = sgdStep(p, g, buf, { lr: 0.0137, weightDecay: c.wd, momentum: 0.937, nesterov: c.nesterov });
        return [r.param, r.buf];
      };
      const run = (f: () => tf.Tensor[]) => tf.tidy(f).map((t) => { const v = t.dataSync(); t.dispose(); return Array.from(v); });
      const fused = run(build(true));
      expect(fused).toEqual(run(build(false)));
      await tf.setBackend('cpu');
      const cpu = run(build(false));
      await tf.setBackend('wasm');
      expect(fused).toEqual(cpu);
    });
  }

  it('frees its intermediates; registered on wasm only', async () => {
    const p = tf.ones([10]), g = tf.ones([10]), buf = tf.zeros([10]);
    const before = tf.memory().numTensors;
    const r = sgdStep(p, g, buf, { lr: 0.1, weightDecay: 0, momentum: 0.9, nesterov: true });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(Array.from(r.param.dataSync())).toEqual(new Array(10).fill(1 - 0.1 * (1 + 0.9 * 1)).map((v) => Math.fround(v)));
    tf.dispose([r.param, r.buf]);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getKernel(SGD_STEP, 'cpu')).toBeUndefined();
    tf.dispose([p, g, buf]);
  });
});
