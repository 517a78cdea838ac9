export interface BoxCandidatesOptions {
  /** Minimum width and height in pixels (strictly greater). Default 2. */
  whThr?: number;
  /** Maximum aspect ratio max(w/h, h/w) (strictly smaller). Default 20. */
  arThr?: number;
  /** Minimum area ratio after/before (strictly greater). Default 0.1 (the original uses 0.01 for segments). */
  areaThr?: number;
  /** Default 1e-16. */
  eps?: number;
}

/**
 * Which boxes survive an augmentation (YOLOv5 `box_candidates`): given each box before (`before`, already multiplied by
 * the augmentation's scale) and after (`after`), keep it when it is wider and taller than `whThr` pixels, keeps more
 * than `areaThr` of its (scaled) area and its aspect ratio stays below `arThr`. Same formula, same eps as the original.
 *
 * @param before `[n, 4]` xyxy pixels, row-major.
 * @param after  `[n, 4]` xyxy pixels, row-major.
 * @returns one boolean per box.
 */
export function boxCandidates(before: ArrayLike<number>, after: ArrayLike<number>, options: BoxCandidatesOptions = {}): boolean[] {
  const { whThr = 2, arThr = 20, areaThr = 0.1, eps = 1e-16 } = options;
  if (before.length !== after.length || before.length % 4 !== 0) {
    throw new RangeError(`boxCandidates needs two [n,4] arrays of the same n, got lengths ${before.length} and ${after.length}`);
  }
  const n = before.length / 4;
  const keep = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const b = i * 4;
    const w1 = before[b + 2]! - before[b]!;
    const h1 = before[b + 3]! - before[b + 1]!;
    const w2 = after[b + 2]! - after[b]!;
    const h2 = after[b + 3]! - after[b + 1]!;
    const ar = Math.max(w2 / (h2 + eps), h2 / (w2 + eps));
    keep[i] = w2 > whThr && h2 > whThr && (w2 * h2) / (w1 * h1 + eps) > areaThr && ar < arThr;
  }
  return keep;
}
