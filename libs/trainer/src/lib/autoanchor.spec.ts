import { readFileSync } from 'node:fs';
import { Rng } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { anchorFitness, anchorMetric, checkAnchors, kmeanAnchors, labelSizesPx, type AnchorDataset } from './autoanchor.js';
import { roundArrayToHalf, roundToHalf } from './half-precision.js';
import { kmeans, kmeansLloyd } from './kmeans.js';

const g = JSON.parse(readFileSync(new URL('./fixtures/autoanchor-golden.json', import.meta.url), 'utf8')) as {
  wh: number[];
  anchors: number[];
  metrics: Record<string, { all: [number, number]; p3only: [number, number]; fitness: number }>;
  kmeans: { obs: number[]; guess: number[]; book: number[]; dist: number };
  labelSizes: { shapes: [number, number][]; wh: number[][]; imgSize: number; wh0: number[] };
  half: { in: number[]; out: (number | 'inf' | '-inf')[] };
};

describe('autoanchor metric, fitness, k-means (golden: the original / scipy)', () => {
  const wh = new Float32Array(g.wh);
  for (const thr of ['4.0', '2.91']) {
    it(`BPR, anchors above threshold and fitness at anchor_t ${thr}`, () => {
      const t = Number(thr);
      const m = g.metrics[thr]!;
      const all = anchorMetric(wh, g.anchors, t);
      expect(all.bpr).toBeCloseTo(m.all[0], 6);
      expect(all.aat).toBeCloseTo(m.all[1], 5);
      const p3 = anchorMetric(wh, g.anchors.slice(0, 6), t);
      expect(p3.bpr).toBeCloseTo(m.p3only[0], 6);
      expect(p3.aat).toBeCloseTo(m.p3only[1], 5);
      expect(anchorFitness(wh, g.anchors, t)).toBeCloseTo(m.fitness, 6);
    });
  }

  it('a label at exactly anchor_t times an anchor does not count (strict >)', () => {
    expect(anchorMetric(new Float32Array([19 * 4, 27 * 4]), [19, 27], 4).bpr).toBe(0);
    expect(anchorMetric(new Float32Array([19 * 3.9, 27 * 3.9]), [19, 27], 4).bpr).toBe(1);
    expect(anchorMetric(new Float32Array(0), [19, 27], 4)).toEqual({ bpr: 0, aat: 0 });
  });

  it("k-means iterations from a fixed codebook equal scipy's _kmeans", () => {
    const r = kmeansLloyd(new Float64Array(g.kmeans.obs), 2, new Float64Array(g.kmeans.guess));
    expect(r.k).toBe(g.kmeans.book.length / 2);
    r.codebook.forEach((v, i) => expect(v).toBeCloseTo(g.kmeans.book[i]!, 12));
    expect(r.distortion).toBeCloseTo(g.kmeans.dist, 12);
  });

  it("label sizes at the training size equal kmean_anchors' wh0", () => {
    const ds: AnchorDataset = { shapes: g.labelSizes.shapes, wh: g.labelSizes.wh.map((a) => new Float32Array(a)) };
    expect(Array.from(labelSizesPx(ds, g.labelSizes.imgSize))).toEqual(Array.from(new Float32Array(g.labelSizes.wh0)));
  });

  it('float16 rounding equals numpy astype(float16)', () => {
    const want = g.half.out.map((v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v));
    expect(g.half.in.map(roundToHalf)).toEqual(want);
    expect(Array.from(roundArrayToHalf(new Float32Array([0.1])))).toEqual([g.half.out[0]]);
  });
});

/** A dataset whose label sizes do not fit the default anchors: tiny, elongated boxes in two clusters. */
function tinyBoxes(seed: number): AnchorDataset {
  const rng = new Rng(seed);
  const shapes: [number, number][] = [];
  const wh: Float32Array[] = [];
  for (let i = 0; i < 60; i++) {
    shapes.push([640, 480]);
    const a = new Float32Array(6);
    for (let j = 0; j < 3; j++) {
      const big = rng.random() < 0.5;
      a[2 * j] = big ? 0.3 + 0.05 * rng.random() : 0.004 + 0.002 * rng.random();
      a[2 * j + 1] = big ? 0.05 + 0.01 * rng.random() : 0.03 + 0.01 * rng.random();
    }
    wh.push(a);
  }
  return { shapes, wh };
}

const P5 = [
  [
    [10, 13],
    [16, 30],
    [33, 23],
  ],
  [
    [30, 61],
    [62, 45],
    [59, 119],
  ],
  [
    [116, 90],
    [156, 198],
    [373, 326],
  ],
];

describe('kmeanAnchors / checkAnchors', () => {
  it('evolution improves the k-means fitness and is deterministic by seed', () => {
    // widely spread (log-normal) sizes and few anchors: the whitened k-means optimum is not the ratio-metric optimum
    const rng = new Rng(3);
    const ds: AnchorDataset = { shapes: [], wh: [] };
    for (let i = 0; i < 80; i++) {
      (ds.shapes as [number, number][]).push([640, 640]);
      (ds.wh as Float32Array[]).push(Float32Array.from({ length: 4 }, () => Math.min(1, Math.exp(rng.normal(-2.5, 0.8)))));
    }
    const a = kmeanAnchors(ds, { n: 4, imgSize: 320, thr: 4, gen: 300, rng: new Rng(11) });
    const b = kmeanAnchors(ds, { n: 4, imgSize: 320, thr: 4, gen: 300, rng: new Rng(11) });
    const c = kmeanAnchors(ds, { n: 4, imgSize: 320, thr: 4, gen: 300, rng: new Rng(12) });
    expect(Array.from(a.anchors)).toEqual(Array.from(b.anchors));
    expect(a.fitness).toBe(b.fitness);
    expect(Array.from(c.anchors)).not.toEqual(Array.from(a.anchors));
    const noEvolve = kmeanAnchors(ds, { n: 4, imgSize: 320, thr: 4, gen: 0, rng: new Rng(11) });
    expect(a.fitness).toBeGreaterThan(noEvolve.fitness);
    // sorted by area, all ≥ 2 px
    const areas = Array.from({ length: 4 }, (_, i) => a.anchors[2 * i]! * a.anchors[2 * i + 1]!);
    expect(areas).toEqual([...areas].sort((x, y) => x - y));
    expect(Math.min(...a.anchors)).toBeGreaterThanOrEqual(2);
  });

  it('replaces poorly fitting anchors (higher BPR), keeps order by stride and converts to grid units', () => {
    const r = checkAnchors(tinyBoxes(3), { anchorsPx: P5, strides: [8, 16, 32], thr: 4, imgSize: 320, rng: new Rng(5), gen: 200 });
    expect(r.bpr).toBeLessThan(0.98);
    expect(r.replaced).toBe(true);
    expect(r.newBpr!).toBeGreaterThan(r.bpr);
    expect(r.anchorsGrid[2]![0]![0]).toBe(Math.fround(r.anchorsPx[2]![0]![0]! / 32));
    expect(r.anchorsPx[0]![0]![0]! * r.anchorsPx[0]![0]![1]!).toBeLessThan(r.anchorsPx[2]![2]![0]! * r.anchorsPx[2]![2]![1]!);
    expect(r.log[0]).toMatch(/Best Possible Recall \(BPR\) = 0\.\d{4}/);
  });

  it('keeps well fitting anchors untouched', () => {
    const shapes: [number, number][] = [[640, 640]];
    const wh = [new Float32Array([30 / 320, 50 / 320, 100 / 320, 80 / 320])];
    const r = checkAnchors({ shapes, wh }, { anchorsPx: P5, strides: [8, 16, 32], thr: 4, imgSize: 320, rng: new Rng(1) });
    expect(r.bpr).toBe(1);
    expect(r.replaced).toBe(false);
    expect(r.anchorsPx).toEqual(P5);
  });

  it('rejects mismatched anchors/strides and too few labels for k-means', () => {
    expect(() => checkAnchors(tinyBoxes(1), { anchorsPx: P5, strides: [8, 16], thr: 4, imgSize: 320, rng: new Rng(1) })).toThrow(/one level per stride/);
    const one = { shapes: [[100, 100]] as [number, number][], wh: [new Float32Array([0.5, 0.5])] };
    expect(() => kmeanAnchors(one, { n: 9, imgSize: 320, thr: 4, rng: new Rng(1) })).toThrow(/fewer than the 9 anchors/);
    expect(() => kmeans(new Float64Array([1, 2]), 2, 2, new Rng(1))).toThrow(/cannot pick 2/);
  });
});
