import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng (xoshiro128**)', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
    expect(new Rng(2 ** 40).nextUint32()).not.toBe(new Rng(0).nextUint32());
  });
  it('matches the reference xoshiro128** for a known state', () => {
    // Reference C (prng.di.unimi.it/xoshiro128starstar.c) from s = {1, 2, 3, 4}: first outputs 11520, 0, 5927040, 70819200.
    const r = Rng.fromState([1, 2, 3, 4]);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([11520, 0, 5927040, 70819200]);
  });
  it('saves and restores its state', () => {
    const r = new Rng(7);
    r.random();
    const st = r.getState();
    const x = [r.random(), r.int(10), r.normal()];
    const r2 = Rng.fromState(st);
    expect([r2.random(), r2.int(10), r2.normal()]).toEqual(x);
    expect(() => r.setState([1, 2, 3] as never)).toThrow(/four uint32/);
  });
  it('has sane distributions', () => {
    const r = new Rng(1);
    const n = 20000;
    let s = 0, s2 = 0, u = 0, b = 0;
    const counts = new Array(6).fill(0);
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      const x = r.random();
      expect(x >= 0 && x < 1).toBe(true);
      u += x;
      counts[r.int(6)]++;
      b += r.beta(8, 8);
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(b / n - 0.5)).toBeLessThan(0.01);
    for (const c of counts) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(0.02);
  });
  it('shuffles into permutations and rejects bad arguments', () => {
    const r = new Rng(3);
    const p = r.permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(r.sampleIndices(10, 3)).toHaveLength(3);
    expect(() => r.int(0)).toThrow(/integer n/);
    expect(() => r.choice([])).toThrow(/empty/);
    expect(() => new Rng(Number.NaN)).toThrow(/finite/);
  });
});
