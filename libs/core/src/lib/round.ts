/**
 * numpy's `.round()` (and Python's `round()` up to the sign of zero): halves go to the even neighbour (2.5 → 2,
 * 3.5 → 4, −2.5 → −2); like numpy, a negative value that rounds to zero gives −0 (add 0 where −0 must not appear).
 * The original's size, padding and schedule arithmetic all round this way.
 */
export function roundHalfEven(x: number): number {
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
}
