/** Rectangular batches: image order (sorted by aspect ratio) and each batch's `[height, width]`. */
export interface RectBatches {
  /** Dataset positions in rect order (ascending h/w, stable). */
  order: number[];
  /** Per batch `[height, width]` in pixels, multiples of `stride`. */
  batchShapes: [number, number][];
}

/**
 * The original's rectangular-batch shapes (utils/datasets.py LoadImagesAndLabels, `rect=True`): images sorted by
 * aspect ratio h/w; a batch whose ratios are all < 1 gets shape [max, 1], all > 1 gets [1, 1/min], otherwise [1, 1];
 * then `ceil(shape·imgSize/stride + pad)·stride`. `shapesWh` are the original image sizes `[width, height]`.
 * The sort is stable (numpy's default argsort is not: equal ratios may be ordered differently there — the batch
 * shapes are unaffected when the equal-ratio images share their batch). `order` replaces the sort: e.g. NumPy's own
 * argsort order of the ratios (`argsortNumpy` in @vigil/evaluator) to reproduce the original's image order exactly.
 */
export function rectBatchShapes(
  shapesWh: readonly [number, number][],
  batchSize: number,
  imgSize: number,
  stride: number,
  pad = 0.5,
  order?: readonly number[],
): RectBatches {
  const n = shapesWh.length;
  const ar = shapesWh.map(([w, h]) => h / w);
  if (order && order.length !== n) throw new RangeError(`rectBatchShapes: order has ${order.length} entries for ${n} images`);
  const sorted = order ? [...order] : Array.from({ length: n }, (_, i) => i).sort((a, b) => ar[a]! - ar[b]! || a - b);
  const nb = Math.ceil(n / batchSize);
  const batchShapes: [number, number][] = [];
  for (let b = 0; b < nb; b++) {
    let mini = Infinity;
    let maxi = -Infinity;
    for (let k = b * batchSize; k < Math.min(n, (b + 1) * batchSize); k++) {
      const r = ar[sorted[k]!]!;
      if (r < mini) mini = r;
      if (r > maxi) maxi = r;
    }
    let s: [number, number] = [1, 1];
    if (maxi < 1) s = [maxi, 1];
    else if (mini > 1) s = [1, 1 / mini];
    batchShapes.push([Math.ceil((s[0] * imgSize) / stride + pad) * stride, Math.ceil((s[1] * imgSize) / stride + pad) * stride]);
  }
  return { order: sorted, batchShapes };
}
