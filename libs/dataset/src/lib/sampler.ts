import type { Rng } from '@vigil/core';

/**
 * Dataset positions for one epoch of the `epoch_parts` scheme (SPEC §3): `floor(n / epochParts)` draws, with
 * replacement as the original's `RandomSampler(replacement=True, num_samples=int(len/epoch_parts))`, or without
 * (a random subset, no repeats). `epochParts = 1` without replacement = a plain shuffled epoch.
 */
export function epochSampleIndices(n: number, epochParts: number, rng: Rng, replacement = true): number[] {
  if (!(epochParts >= 1)) throw new RangeError(`epoch_parts must be ≥ 1, got ${epochParts}`);
  const k = Math.floor(n / epochParts);
  if (k === 0) return [];
  if (replacement) return Array.from({ length: k }, () => rng.int(n));
  return rng.permutation(n).slice(0, k);
}
