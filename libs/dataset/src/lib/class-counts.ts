import { CLASS_NAMES } from '@vigil/core';

/** Objects per class (index = class id) over a set of images, like the original's count_classes; ids outside 0…nc−1 are not counted. */
export function countClasses(imagesClasses: readonly ArrayLike<number>[], nc: number = CLASS_NAMES.length): number[] {
  const counts = new Array<number>(nc).fill(0);
  for (const classes of imagesClasses) {
    for (let k = 0; k < classes.length; k++) {
      const c = classes[k]!;
      if (c >= 0 && c < nc) counts[c]!++;
    }
  }
  return counts;
}

/**
 * A per-class table, one column per set: e.g.
 * ```
 * class          diet    train      val
 * eye_opened      12      340       80
 * …
 * images           5      200       50
 * ```
 */
export function formatClassCounts(
  sets: { name: string; counts: readonly number[]; images: number }[],
  names: readonly string[] = CLASS_NAMES,
): string {
  const w0 = Math.max(6, ...names.map((n) => n.length)) + 2;
  const cols = sets.map((s) => Math.max(s.name.length, String(s.images).length, ...s.counts.map((c) => String(c).length)) + 2);
  const row = (label: string, cells: string[]) => label.padEnd(w0) + cells.map((c, i) => c.padStart(cols[i]!)).join('');
  const lines = [row('class', sets.map((s) => s.name))];
  names.forEach((n, c) => lines.push(row(n, sets.map((s) => String(s.counts[c] ?? 0)))));
  lines.push(row('images', sets.map((s) => String(s.images))));
  return lines.join('\n');
}
