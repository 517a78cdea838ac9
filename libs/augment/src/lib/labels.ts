/** Helpers for `[n, 5]` float32 labels (cls, x1, y1, x2, y2 in pixels), the `LabeledImage.labels` layout. */

/** Number of rows of an `[n, 5]` labels array; throws when the length is not a multiple of 5. */
export function labelCount(labels: Float32Array): number {
  if (labels.length % 5 !== 0) throw new RangeError(`labels must be [n,5] (cls,x1,y1,x2,y2), got length ${labels.length}`);
  return labels.length / 5;
}

/** Concatenates `[n,5]` label arrays. */
export function concatLabels(parts: readonly Float32Array[]): Float32Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
