import type { Rng } from '@vigil/core';
import { kmeans } from './kmeans.js';

const f32 = Math.fround;

/** Label sizes of a dataset, per image (what check_anchors / kmean_anchors read from the original's dataset). */
export interface AnchorDataset {
  /** per image: original width, height in pixels */
  shapes: readonly (readonly [number, number])[];
  /** per image: label widths and heights normalised 0–1, `[n_i·2]` = w0, h0, w1, h1, … */
  wh: readonly Float32Array[];
}

/**
 * Label sizes in pixels of the training size: each image's shape scaled so its long side is `imgSize`, times an
 * optional per-image random factor U(0.9, 1.1) (check_anchors' augment scale), rounded to float32 like the
 * original's `torch.tensor(...).float()`.
 * @returns `[N·2]` float32 w, h of all labels, image by image
 */
export function labelSizesPx(ds: AnchorDataset, imgSize: number, rng?: Rng): Float32Array {
  if (ds.shapes.length !== ds.wh.length) throw new RangeError(`AnchorDataset: ${ds.shapes.length} shapes but ${ds.wh.length} label arrays`);
  let total = 0;
  for (const w of ds.wh) total += w.length;
  const out = new Float32Array(total);
  let o = 0;
  ds.shapes.forEach(([w, h], i) => {
    const m = Math.max(w, h);
    const scale = rng ? rng.uniform(0.9, 1.1) : 1;
    const sw = ((imgSize * w) / m) * scale;
    const sh = ((imgSize * h) / m) * scale;
    const l = ds.wh[i]!;
    for (let j = 0; j < l.length; j += 2) {
      out[o++] = l[j]! * sw;
      out[o++] = l[j + 1]! * sh;
    }
  });
  return out;
}

/**
 * Ratio metric of the original (check_anchors / kmean_anchors `metric`): for each label and anchor,
 * x = min over w, h of min(r, 1/r) with r = label / anchor; best = max over anchors. Float32 arithmetic.
 * @param wh `[N·2]` label sizes (pixels); @param anchors `[k·2]` anchor sizes (pixels)
 * @returns best `[N]` and the number of anchors with x > 1/thr per label, `[N]`
 */
export function anchorRatios(wh: Float32Array, anchors: ArrayLike<number>, thr: number, float64 = false): { best: Float64Array; above: Int32Array } {
  const n = wh.length / 2;
  const k = anchors.length / 2;
  // float32 like torch float tensors; float64 where the original divides by a float64 numpy array (promotion)
  const r = float64 ? (x: number) => x : f32;
  const inv = r(1 / thr);
  const aw = Float64Array.from({ length: k }, (_, j) => r(anchors[2 * j]!));
  const ah = Float64Array.from({ length: k }, (_, j) => r(anchors[2 * j + 1]!));
  const best = new Float64Array(n);
  const above = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const w = wh[2 * i]!;
    const h = wh[2 * i + 1]!;
    let b = -Infinity;
    let cnt = 0;
    for (let j = 0; j < k; j++) {
      const rw = r(w / aw[j]!);
      const rh = r(h / ah[j]!);
      const x = Math.min(rw, r(1 / rw), rh, r(1 / rh));
      if (x > b) b = x;
      if (x > inv) cnt++;
    }
    best[i] = b;
    above[i] = cnt;
  }
  return { best, above };
}

/** check_anchors' metric: best possible recall (share of labels with some anchor within thr) and anchors above thr per label. */
export function anchorMetric(wh: Float32Array, anchors: ArrayLike<number>, thr: number, float64 = false): { bpr: number; aat: number } {
  const { best, above } = anchorRatios(wh, anchors, thr, float64);
  const inv = float64 ? 1 / thr : f32(1 / thr);
  let hit = 0;
  let sum = 0;
  for (let i = 0; i < best.length; i++) {
    if (best[i]! > inv) hit++;
    sum += above[i]!;
  }
  const n = best.length;
  return n === 0 ? { bpr: 0, aat: 0 } : { bpr: hit / n, aat: sum / n };
}

/** kmean_anchors' `anchor_fitness`: mean of best·(best > 1/thr). */
export function anchorFitness(wh: Float32Array, anchors: ArrayLike<number>, thr: number): number {
  const { best } = anchorRatios(wh, anchors, thr);
  const inv = f32(1 / thr);
  let s = 0;
  for (const b of best) if (b > inv) s += b;
  return best.length ? s / best.length : 0;
}

export interface KmeanAnchorsOptions {
  /** number of anchors (nl·na) */
  n: number;
  imgSize: number;
  /** hyp anchor_t */
  thr: number;
  /** generations of the genetic evolution (1000) */
  gen?: number;
  /** k-means restarts (the original passes iter=30) */
  kmeansIter?: number;
  rng: Rng;
}

/**
 * The original's `kmean_anchors`: label sizes at `imgSize` (no random scale), those with a side ≥ 2 px whitened by
 * their standard deviation and clustered with k-means (scipy semantics, 30 restarts), then evolved for `gen`
 * generations (mutation probability 0.9, sigma 0.1, factor clipped to [0.3, 3], anchors ≥ 2 px), keeping a mutation
 * only when it raises the fitness. Seeded by `rng`, so the result is deterministic for a given seed (not numerically
 * equal to the original's, which draws from numpy's global generator).
 * @returns `[n·2]` anchors in pixels sorted by area (small → large), and their fitness
 */
export function kmeanAnchors(ds: AnchorDataset, opts: KmeanAnchorsOptions): { anchors: Float64Array; fitness: number } {
  const { n, thr, rng } = opts;
  const wh0 = labelSizesPx(ds, opts.imgSize);
  const keep: number[] = [];
  for (let i = 0; i < wh0.length / 2; i++) if (wh0[2 * i]! >= 2.0 || wh0[2 * i + 1]! >= 2.0) keep.push(i);
  const m = keep.length;
  if (m < n) throw new RangeError(`kmean_anchors: ${m} labels of at least 2 px, fewer than the ${n} anchors to fit`);
  const wh64 = new Float64Array(m * 2);
  keep.forEach((i, r) => {
    wh64[2 * r] = wh0[2 * i]!;
    wh64[2 * r + 1] = wh0[2 * i + 1]!;
  });
  const s = [0, 1].map((j) => {
    let mean = 0;
    for (let r = 0; r < m; r++) mean += wh64[2 * r + j]!;
    mean /= m;
    let v = 0;
    for (let r = 0; r < m; r++) v += (wh64[2 * r + j]! - mean) ** 2;
    return Math.sqrt(v / m) || 1;
  }) as [number, number];
  const white = new Float64Array(m * 2);
  for (let r = 0; r < m; r++) {
    white[2 * r] = wh64[2 * r]! / s[0];
    white[2 * r + 1] = wh64[2 * r + 1]! / s[1];
  }
  const km = kmeans(white, 2, n, rng, opts.kmeansIter ?? 30);
  if (km.k !== n) throw new RangeError(`kmean_anchors: k-means asked for ${n} anchors but returned only ${km.k}`);
  let k = new Float64Array(n * 2);
  for (let c = 0; c < n; c++) {
    k[2 * c] = km.codebook[2 * c]! * s[0];
    k[2 * c + 1] = km.codebook[2 * c + 1]! * s[1];
  }
  const whF = Float32Array.from(wh64);
  const fit = (a: Float64Array) => anchorFitness(whF, Float32Array.from(a), thr);
  let f = fit(k);
  const mp = 0.9;
  const sigma = 0.1;
  const gen = opts.gen ?? 1000;
  const v = new Float64Array(n * 2);
  for (let g = 0; g < gen; g++) {
    let same = true;
    while (same) {
      // same draw order as the original: mask, one magnitude, then the normals
      const mask = Array.from({ length: n * 2 }, () => rng.random() < mp);
      const mag = rng.random();
      for (let i = 0; i < n * 2; i++) {
        const x = (mask[i] ? 1 : 0) * mag * rng.normal() * sigma + 1;
        v[i] = Math.min(3.0, Math.max(0.3, x));
      }
      same = v.every((x) => x === 1);
    }
    const kg = k.map((x, i) => Math.max(2.0, x * v[i]!));
    const fg = fit(kg);
    if (fg > f) {
      f = fg;
      k = kg;
    }
  }
  return { anchors: sortByArea(k), fitness: f };
}

function sortByArea(k: Float64Array): Float64Array {
  const n = k.length / 2;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => k[2 * a]! * k[2 * a + 1]! - k[2 * b]! * k[2 * b + 1]! || a - b);
  const out = new Float64Array(k.length);
  order.forEach((o, r) => {
    out[2 * r] = k[2 * o]!;
    out[2 * r + 1] = k[2 * o + 1]!;
  });
  return out;
}

export interface CheckAnchorsOptions {
  /** current anchors in pixels, `[nl][na][2]` (the Detect layer's anchor_grid) */
  anchorsPx: readonly (readonly (readonly number[])[])[];
  strides: readonly number[];
  /** hyp anchor_t */
  thr: number;
  imgSize: number;
  rng: Rng;
  /** BPR below which new anchors are computed (0.98) */
  bprThreshold?: number;
  /** evolution generations (1000) */
  gen?: number;
}

export interface CheckAnchorsResult {
  /** BPR and anchors-above-threshold of the current anchors */
  bpr: number;
  aat: number;
  /** whether new anchors replaced the current ones */
  replaced: boolean;
  /** BPR of the k-means/evolved anchors when they were computed */
  newBpr?: number;
  /** the anchors to use, in pixels `[nl][na][2]` (float32 values) */
  anchorsPx: number[][][];
  /** the same in grid units (pixels / stride), `[nl][na][2]` (float32 values), as the loss and Detect use */
  anchorsGrid: number[][][];
  /** human-readable lines like the original's log */
  log: string[];
}

/**
 * The original's `check_anchors` (utils/autoanchor.py): BPR of the current anchors over the label sizes (each image's
 * labels scaled by U(0.9, 1.1)); when BPR < 0.98, k-means + evolution ({@link kmeanAnchors}) for nl·na anchors,
 * replacing the current anchors only when the new BPR is higher, then `check_anchor_order` (anchor areas must grow
 * with the stride, else the levels are reversed).
 */
export function checkAnchors(ds: AnchorDataset, opts: CheckAnchorsOptions): CheckAnchorsResult {
  const nl = opts.anchorsPx.length;
  const na = opts.anchorsPx[0]?.length ?? 0;
  if (nl !== opts.strides.length || nl === 0 || opts.anchorsPx.some((l) => l.length !== na)) {
    throw new RangeError(`checkAnchors: anchors must be [nl][na][2] with one level per stride (${opts.strides.length})`);
  }
  const cur = Float32Array.from(opts.anchorsPx.flat(2));
  const wh = labelSizesPx(ds, opts.imgSize, opts.rng);
  const { bpr, aat } = anchorMetric(wh, cur, opts.thr);
  const log = [`anchors/target = ${aat.toFixed(2)}, Best Possible Recall (BPR) = ${bpr.toFixed(4)}`];
  let anchors: Float32Array = cur;
  let replaced = false;
  let newBpr: number | undefined;
  if (bpr < (opts.bprThreshold ?? 0.98)) {
    log.push('Attempting to improve anchors...');
    try {
      const k = kmeanAnchors(ds, { n: nl * na, imgSize: opts.imgSize, thr: opts.thr, gen: opts.gen, rng: opts.rng });
      // the original measures the new anchors (a float64 numpy array) in float64, then stores them as float32
      newBpr = anchorMetric(wh, k.anchors, opts.thr, true).bpr;
      if (newBpr > bpr) {
        anchors = Float32Array.from(k.anchors);
        replaced = true;
        log.push(`New anchors (BPR ${newBpr.toFixed(4)}) replace the model's anchors.`);
      } else {
        log.push('Original anchors better than new anchors. Proceeding with original anchors.');
      }
    } catch (e) {
      log.push(`ERROR: ${(e as Error).message}`);
    }
  }
  let px: number[][][] = Array.from({ length: nl }, (_, i) => Array.from({ length: na }, (_, j) => [anchors[(i * na + j) * 2]!, anchors[(i * na + j) * 2 + 1]!]));
  if (replaced) {
    // check_anchor_order: area of the last anchor vs the first must change in the same direction as the stride
    const area = (l: number, j: number) => f32(px[l]![j]![0]! * px[l]![j]![1]!);
    const da = area(nl - 1, na - 1) - area(0, 0);
    const dsr = opts.strides[nl - 1]! - opts.strides[0]!;
    if (Math.sign(da) !== Math.sign(dsr)) {
      log.push('Reversing anchor order');
      px = px.reverse();
    }
  }
  const grid = px.map((l, i) => l.map(([w, h]) => [f32(w! / opts.strides[i]!), f32(h! / opts.strides[i]!)]));
  return { bpr, aat, replaced, newBpr, anchorsPx: px, anchorsGrid: grid, log };
}
