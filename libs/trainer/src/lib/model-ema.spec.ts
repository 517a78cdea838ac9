import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { emaDecay, ModelEma } from './model-ema.js';

interface EmaGolden {
  shapes: Record<string, number[]>;
  initial: Record<string, number[]>;
  updates: { model: Record<string, number[]>; ema: Record<string, number[]> }[];
  ramp: Record<string, number>;
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/optim-golden.json', import.meta.url), 'utf8')) as { ema: EmaGolden };

describe('ModelEma matches the original ModelEMA (golden)', () => {
  it('decay ramp 0.9999·(1 − exp(−updates/2000))', () => {
    for (const [u, d] of Object.entries(golden.ema.ramp)) expect(emaDecay(Number(u))).toBe(d);
  });

  it('three updates over all float state (conv weights, BN weight/bias/running stats), float32-exact', () => {
    const g = golden.ema;
    const toState = (vals: Record<string, number[]>): tf.NamedTensorMap => Object.fromEntries(Object.entries(g.shapes).map(([k, s]) => [k, tf.tensor(vals[k]!, s)]));
    const init = toState(g.initial);
    expect(Object.keys(init)).toContain('1.running_var');
    const ema = new ModelEma(init);
    tf.dispose(Object.values(init));
    for (const step of g.updates) {
      const m = toState(step.model);
      ema.update(m);
      tf.dispose(Object.values(m));
      for (const [k, v] of Object.entries(ema.state)) {
        expect(Array.from(v.dataSync())).toEqual(Array.from(new Float32Array(step.ema[k]!)));
      }
    }
    expect(ema.updates).toBe(3);
    ema.dispose();
  });

  it('does not leak, skips non-float entries, rejects a mismatched state', () => {
    const w = tf.tensor([1, 2, 3]);
    const n = tf.tensor([5], [1], 'int32');
    const ema = new ModelEma({ w, n }, { updates: 1999 });
    const w2 = tf.tensor([2, 2, 2]);
    const n2 = tf.tensor([9], [1], 'int32');
    const bad = tf.zeros([2]);
    const before = tf.memory().numTensors;
    const d = ema.update({ w: w2, n: n2 });
    expect(d).toBe(emaDecay(2000));
    expect(tf.memory().numTensors).toBe(before);
    expect(ema.state['n']!.dataSync()[0]).toBe(5);
    const wantW = [1, 2, 3].map((x) => Math.fround(Math.fround(x * Math.fround(d)) + Math.fround(2 * Math.fround(1 - d))));
    expect(Array.from(ema.state['w']!.dataSync())).toEqual(wantW);
    expect(() => ema.update({ w: bad, n })).toThrow(/shape \[2\] but the EMA has \[3\]/);
    ema.dispose();
    tf.dispose([w, n, w2, n2, bad]);
  });
});
