/**
 * Pairwise IoU of xyxy boxes in float32 arithmetic, operation for operation as YOLOv5 `box_iou` on float32 torch
 * tensors: area = (x2 − x1)·(y2 − y1); inter = clamp(min(x2) − max(x1), 0)·clamp(min(y2) − max(y1), 0);
 * iou = inter / ((area_a + area_b) − inter), every step rounded to float32 (Math.fround), no epsilon (0/0 → NaN as
 * in torch). Returns row-major `[n, m]` IoUs of `a[ai[k]]` × `b[bj[l]]` (all rows/cols when the index lists are omitted).
 */
export function boxIouF32(
  a: Float32Array,
  b: Float32Array,
  ai?: ArrayLike<number>,
  bj?: ArrayLike<number>,
): Float32Array {
  const n = ai ? ai.length : a.length / 4;
  const m = bj ? bj.length : b.length / 4;
  const out = new Float32Array(n * m);
  const areaB = new Float64Array(m);
  for (let l = 0; l < m; l++) {
    const q = 4 * (bj ? bj[l]! : l);
    areaB[l] = Math.fround(Math.fround(b[q + 2]! - b[q]!) * Math.fround(b[q + 3]! - b[q + 1]!));
  }
  for (let k = 0; k < n; k++) {
    const p = 4 * (ai ? ai[k]! : k);
    const ax1 = a[p]!, ay1 = a[p + 1]!, ax2 = a[p + 2]!, ay2 = a[p + 3]!;
    const areaA = Math.fround(Math.fround(ax2 - ax1) * Math.fround(ay2 - ay1));
    for (let l = 0; l < m; l++) {
      const q = 4 * (bj ? bj[l]! : l);
      let w = Math.fround(Math.min(ax2, b[q + 2]!) - Math.max(ax1, b[q]!));
      let h = Math.fround(Math.min(ay2, b[q + 3]!) - Math.max(ay1, b[q + 1]!));
      if (!(w > 0)) w = 0;
      if (!(h > 0)) h = 0;
      const inter = Math.fround(w * h);
      out[k * m + l] = inter / Math.fround(Math.fround(areaA + areaB[l]!) - inter);
    }
  }
  return out;
}
