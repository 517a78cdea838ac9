/**
 * Formats `x` with `digits` decimals exactly as Python's `f"{x:.5f}"`: correctly rounded from the double's exact
 * value, ties to even. JS `toFixed` also rounds the exact value but sends exact ties up (0.015625 → "0.01563" where
 * Python writes "0.01562"); such ties occur for coordinates that are multiples of 1/64 of the image size.
 */
export function formatFixedPy(x: number, digits = 5): string {
  const s = x.toFixed(digits);
  if (!Number.isFinite(x)) return s;
  // Fast path: far from a tie at the last kept digit (the exact check below is costly).
  const scaled = Math.abs(x) * 10 ** digits;
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-6) return s;
  // An exact tie has the digit 5 right after the kept digits and nothing else (doubles near [0, 1e6] terminate well
  // within 40 decimals when they are ties; a non-tie cannot be that close to a tie).
  const long = Math.abs(x).toFixed(Math.min(100, digits + 40));
  const tail = long.slice(long.indexOf('.') + 1 + digits);
  if (!/^50*$/.test(tail)) return s;
  const down = (Math.sign(x) * (Math.trunc(Math.abs(x) * 10 ** digits) / 10 ** digits)).toFixed(digits);
  const lastDigit = Number(down[down.length - 1]);
  return lastDigit % 2 === 0 ? down : s;
}

/**
 * YOLO label lines (`cls cx cy w h`, normalised, 5 decimals, one per box, each ending in "\n") for boxes xyxy in
 * pixels of a `width × height` image. Same arithmetic order as the original's data_prepare (normalise the corners,
 * then xyxy2xywh) so the text is identical.
 */
export function yoloLabelText(classes: ArrayLike<number>, boxesXyxy: ArrayLike<number>, width: number, height: number): string {
  let out = '';
  for (let k = 0; k < classes.length; k++) {
    const x1 = boxesXyxy[4 * k]! / width;
    const y1 = boxesXyxy[4 * k + 1]! / height;
    const x2 = boxesXyxy[4 * k + 2]! / width;
    const y2 = boxesXyxy[4 * k + 3]! / height;
    out +=
      `${classes[k]} ${formatFixedPy((x1 + x2) / 2)} ${formatFixedPy((y1 + y2) / 2)} ` +
      `${formatFixedPy(x2 - x1)} ${formatFixedPy(y2 - y1)}\n`;
  }
  return out;
}
