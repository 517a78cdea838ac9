/**
 * Python's `'%10.4g' % v` (C printf %g: `prec` significant digits, trailing zeros removed, exponent when needed).
 * Exact decimal ties (e.g. 12345 to 4 digits) round up here, to even in C: irrelevant for losses.
 */
export function formatG(v: number, prec = 4): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(prec)))));
  if (exp < -4 || exp >= prec) {
    const [m, e] = v.toExponential(prec - 1).split('e');
    const mant = m!.includes('.') ? m!.replace(/\.?0+$/, '') : m!;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = v.toFixed(Math.max(0, prec - 1 - exp));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** The header of the original's per-epoch progress line. */
export const PROGRESS_HEADER = ['Epoch', 'mem', 'box', 'obj', 'cls', 'total', 'labels', 'img_size'].map((s) => s.padStart(10)).join('');

/**
 * The original's tqdm description (train.py: `'%10s' * 2 + '%10.4g' * 6`): `epoch/epochs-1`, memory, mean box / obj /
 * cls / total loss so far in the epoch, targets in the current batch, image size. Memory = resident set size (GB),
 * the CPU analogue of the original's `torch.cuda.memory_reserved`.
 */
export function formatProgressLine(p: { epoch: number; epochs: number; memGb: number; mloss: ArrayLike<number>; labels: number; imgSize: number }): string {
  const cells = [`${p.epoch}/${p.epochs - 1}`, `${formatG(p.memGb, 3)}G`].map((s) => s.padStart(10));
  for (let k = 0; k < 4; k++) cells.push(formatG(p.mloss[k] ?? NaN).padStart(10));
  cells.push(formatG(p.labels).padStart(10), formatG(p.imgSize).padStart(10));
  return cells.join('');
}
