import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_HYPS } from './hyp.js';
import { roundHalfEven } from '@vigil/core';
import { lrLambda, nominalAccumulate, npInterp, oneCycle, scaleWeightDecay, TrainSchedule, warmupIterations } from './schedule.js';

interface ScheduleCase {
  name: string;
  hyp: string;
  epochs: number;
  nb: number;
  batch: number;
  linearLr: boolean;
  adam: boolean;
  warmupMinIters: number;
  nw: number;
  scaledWeightDecay: number;
  lr0: number[];
  lr1: number[];
  lr2: number[];
  momentum: number[];
  accumulate: number[];
  step: boolean[];
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/optim-golden.json', import.meta.url), 'utf8')) as { schedules: ScheduleCase[] };

describe('TrainSchedule matches train.py per iteration (golden: torch SGD/Adam + LambdaLR + the warmup block)', () => {
  for (const c of golden.schedules) {
    it(c.name, () => {
      const hyp = BUILTIN_HYPS[c.hyp]!;
      expect(scaleWeightDecay(hyp.weight_decay, c.batch)).toBe(c.scaledWeightDecay);
      const s = new TrainSchedule({ hyp, epochs: c.epochs, batchesPerEpoch: c.nb, batch: c.batch, linearLr: c.linearLr, adam: c.adam, warmupMinIters: c.warmupMinIters });
      expect(s.nw).toBe(c.nw);
      let k = 0;
      const mismatches: string[] = [];
      for (let epoch = 0; epoch < c.epochs; epoch++) {
        for (let i = 0; i < c.nb; i++, k++) {
          const ni = i + c.nb * epoch;
          s.beginIteration(ni, epoch);
          const got = [s.lr[0], s.lr[1], s.lr[2], s.momentum, s.accumulate, s.isStepIteration(ni)];
          const want = [c.lr0[k], c.lr1[k], c.lr2[k], c.momentum[k], c.accumulate[k], c.step[k]];
          // exact (float64) equality: same formulas, same operation order as the original
          if (got.some((g, j) => g !== want[j])) mismatches.push(`ni ${ni}: got ${got.join(' ')} want ${want.join(' ')}`);
        }
        s.endEpoch();
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(k).toBe(c.lr0.length);
    });
  }
});

describe('schedule helpers', () => {
  it('roundHalfEven is Python round()', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.6, 16, 2.6666].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, 2, 3, 16, 3]);
  });
  it('nominal accumulate, warmup iterations, interp ends', () => {
    expect(nominalAccumulate(4)).toBe(16);
    expect(nominalAccumulate(128)).toBe(1);
    expect(nominalAccumulate(96)).toBe(1);
    expect(nominalAccumulate(40)).toBe(2);
    expect(warmupIterations(3, 100)).toBe(1000);
    expect(warmupIterations(3, 100, 100)).toBe(300);
    expect(warmupIterations(2.5, 1, 0)).toBe(2);
    expect(npInterp(-1, [0, 10], [3, 5])).toBe(3);
    expect(npInterp(10, [0, 10], [0.1, 0.3])).toBe(0.3);
    expect(npInterp(11, [0, 10], [0.1, 0.3])).toBe(0.3);
    expect(npInterp(5, [0, 10], [0, 1])).toBe(0.5);
  });
  it('one-cycle goes 1 -> lrf, linear reaches lrf at the last epoch', () => {
    expect(oneCycle(1, 0.2, 300)(0)).toBe(1);
    expect(oneCycle(1, 0.2, 300)(300)).toBeCloseTo(0.2, 12);
    expect(lrLambda(0.12, 50, true)(49)).toBeCloseTo(0.12, 12);
  });
  it('state round-trips (resume)', () => {
    const hyp = BUILTIN_HYPS['hyp.scratch-p6']!;
    const a = new TrainSchedule({ hyp, epochs: 3, batchesPerEpoch: 10, batch: 8, warmupMinIters: 5 });
    a.beginIteration(3, 0);
    const b = new TrainSchedule({ hyp, epochs: 3, batchesPerEpoch: 10, batch: 8, warmupMinIters: 5 }, 1);
    b.setState(a.getState());
    expect(b.getState()).toEqual(a.getState());
  });
  it('rejects a zero batch or epoch count', () => {
    const hyp = BUILTIN_HYPS['hyp.scratch-p6']!;
    expect(() => new TrainSchedule({ hyp, epochs: 0, batchesPerEpoch: 10, batch: 8 })).toThrow(/must be ≥ 1/);
  });
});
