/**
 * Python's `int(round(x))` as a number: halves go to the even neighbour (2.5 → 2, 3.5 → 4, −2.5 → −2), and a value
 * that rounds to zero gives 0, never −0 (numpy's `.round()` would keep −0; Python's int has no sign of zero).
 * The original's size, padding and schedule arithmetic all round this way.
 */
export function roundHalfEven(x: number): number {
  return (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)) + 0;
}
