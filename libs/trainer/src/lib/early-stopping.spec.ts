import { describe, expect, it } from 'vitest';
import { BestFitness } from './early-stopping.js';

/** Feeds a fitness sequence (one per epoch) and returns the best epochs and where it stopped. */
function run(seq: number[], patience: number): { best: number[]; stoppedAt: number; bestEpoch: number } {
  const b = new BestFitness(patience);
  const best: number[] = [];
  for (let e = 0; e < seq.length; e++) {
    const u = b.update(e, seq[e]!);
    if (u.isBest) best.push(e);
    if (u.stop) return { best, stoppedAt: e, bestEpoch: b.bestEpoch };
  }
  return { best, stoppedAt: -1, bestEpoch: b.bestEpoch };
}

describe('BestFitness', () => {
  it('best is the epoch of the highest fitness, not the last (later epochs worse)', () => {
    const r = run([0.1, 0.3, 0.5, 0.4, 0.2], 0);
    expect(r.best).toEqual([0, 1, 2]);
    expect(r.bestEpoch).toBe(2);
    expect(r.stoppedAt).toBe(-1); // patience 0 = never stop
  });

  it('the first validation is best even at fitness 0; ties keep the earlier checkpoint', () => {
    expect(run([0, 0, 0.2, 0.2], 0).best).toEqual([0, 2]);
  });

  it('stops once the fitness has not improved for `patience` epochs (upstream EarlyStopping)', () => {
    // best at epoch 2; epochs 3, 4, 5 without improvement → stop at 5 with patience 3
    expect(run([0.1, 0.2, 0.5, 0.4, 0.45, 0.3, 0.9], 3)).toEqual({ best: [0, 1, 2], stoppedAt: 5, bestEpoch: 2 });
    // an equal fitness counts as an improvement for the stopper (upstream's >=) but not for best.vckpt
    expect(run([0.5, 0.5, 0.5, 0.4, 0.4], 2)).toEqual({ best: [0], stoppedAt: 4, bestEpoch: 0 });
  });

  it('counts epochs, not validations (validated every 2 epochs)', () => {
    const b = new BestFitness(3);
    expect(b.update(1, 0.5).stop).toBe(false);
    expect(b.update(3, 0.4).stop).toBe(false); // 2 epochs without improvement
    expect(b.update(5, 0.4)).toEqual({ isBest: false, stop: true, epochsWithoutImprovement: 4 });
  });

  it('continues from a saved state (resume)', () => {
    const a = new BestFitness(2);
    a.update(0, 0.3);
    a.update(1, 0.2);
    const b = new BestFitness(2, a.state);
    expect(b.update(2, 0.1)).toEqual({ isBest: false, stop: true, epochsWithoutImprovement: 2 });
    expect(() => new BestFitness(-1)).toThrow('patience must be ≥ 0');
  });
});
