import type { Rng } from '@vigil/core';

/** Result of {@link kmeans} / {@link kmeansLloyd}: centroids `[k·d]` row-major and the mean distance. */
export interface KmeansResult {
  codebook: Float64Array;
  /** number of centroids (fewer than asked when clusters lost all members, as scipy drops them) */
  k: number;
  /** mean Euclidean distance of the observations to their nearest centroid (scipy's `distortion`) */
  distortion: number;
}

/**
 * Nearest centroid of each observation (scipy `vq`): Euclidean distance, ties to the lowest index.
 * @returns codes `[n]` and distances `[n]`
 */
export function vectorQuantize(obs: Float64Array, d: number, codebook: Float64Array, k: number): { codes: Int32Array; dist: Float64Array } {
  const n = obs.length / d;
  const codes = new Int32Array(n);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let bi = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = obs[i * d + j]! - codebook[c * d + j]!;
        s += t * t;
      }
      if (s < best) {
        best = s;
        bi = c;
      }
    }
    codes[i] = bi;
    dist[i] = Math.sqrt(best);
  }
  return { codes, dist };
}

/**
 * Lloyd iterations from a given initial codebook, as scipy's `cluster.vq._kmeans`: assign, record the mean distance,
 * move each centroid to the mean of its members (dropping centroids without members), until the mean distance
 * improves by ≤ thresh; returns the last codebook and the distortion measured before the last move (as scipy does).
 */
export function kmeansLloyd(obs: Float64Array, d: number, guess: Float64Array, thresh = 1e-5): KmeansResult {
  let code = Float64Array.from(guess);
  let k = guess.length / d;
  let prev = Infinity;
  let last = Infinity;
  let diff = Infinity;
  while (diff > thresh) {
    const { codes, dist } = vectorQuantize(obs, d, code, k);
    let sum = 0;
    for (const v of dist) sum += v;
    const avg = sum / dist.length;
    prev = last;
    last = avg;
    const sums = new Float64Array(k * d);
    const counts = new Int32Array(k);
    const n = codes.length;
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      counts[c]! += 1;
      for (let j = 0; j < d; j++) sums[c * d + j]! += obs[i * d + j]!;
    }
    const kept: number[] = [];
    for (let c = 0; c < k; c++) if (counts[c]! > 0) kept.push(c);
    const next = new Float64Array(kept.length * d);
    kept.forEach((c, r) => {
      for (let j = 0; j < d; j++) next[r * d + j] = sums[c * d + j]! / counts[c]!;
    });
    code = next;
    k = kept.length;
    diff = prev - last;
  }
  return { codebook: code, k, distortion: last };
}

/**
 * scipy's `cluster.vq.kmeans(obs, k, iter, thresh)`: `iter` runs of {@link kmeansLloyd}, each from k distinct
 * observations drawn at random (seeded `rng` instead of numpy's global state), keeping the run with the lowest
 * distortion.
 * @param obs `[n·d]` row-major observations (e.g. whitened label sizes)
 */
export function kmeans(obs: Float64Array, d: number, k: number, rng: Rng, iter = 20, thresh = 1e-5): KmeansResult {
  const n = obs.length / d;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`kmeans: k must be a positive integer, got ${k}`);
  if (k > n) throw new RangeError(`kmeans: cannot pick ${k} initial centroids from ${n} observations`);
  let best: KmeansResult | undefined;
  for (let it = 0; it < iter; it++) {
    const idx = rng.sampleIndices(n, k);
    const guess = new Float64Array(k * d);
    idx.forEach((o, r) => {
      for (let j = 0; j < d; j++) guess[r * d + j] = obs[o * d + j]!;
    });
    const res = kmeansLloyd(obs, d, guess, thresh);
    if (!best || res.distortion < best.distortion) best = res;
  }
  return best!;
}
