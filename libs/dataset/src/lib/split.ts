import { Rng, VigilUserError } from '@vigil/core';

/** Result of {@link splitTrainVal}: ascending positions of each part, and how the validation size was decided. */
export interface TrainValSplit {
  train: number[];
  val: number[];
  valCount: number;
  /** Set when the requested count was reduced: a sentence for the user. */
  note?: string;
}

/**
 * Draws `valCount` of `n` items for validation with a seeded partial Fisher–Yates shuffle (the original:
 * `random.sample(range(n), 20000)` with seed 100). The requested count is capped to `maxValFraction` of the items
 * (default 20 %) so that small sets keep most images for training; the cap is reported in `note`.
 * Both lists are returned in ascending order (the original keeps the labels.json order inside each split).
 */
export function splitTrainVal(n: number, valCount: number, seed: number, maxValFraction = 0.2): TrainValSplit {
  if (!Number.isInteger(valCount) || valCount < 0) throw new VigilUserError(`--val-count must be a non-negative integer, got ${valCount}`);
  if (!(maxValFraction >= 0 && maxValFraction <= 1)) throw new VigilUserError(`max validation fraction must be in [0, 1], got ${maxValFraction}`);
  const cap = Math.floor(n * maxValFraction);
  let k = valCount;
  let note: string | undefined;
  if (k > cap) {
    k = cap;
    note = `validation count ${valCount} capped to ${k} (${Math.round(maxValFraction * 100)} % of ${n} images)`;
  }
  const rng = new Rng(seed);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const isVal = new Uint8Array(n);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
    isVal[perm[i]!] = 1;
  }
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) (isVal[i] ? val : train).push(i);
  return note ? { train, val, valCount: k, note } : { train, val, valCount: k };
}
