import { type BoxArray, boxAreas } from './boxes.js';

/**
 * IoU of every pair of xyxy boxes: returns a row-major matrix `[N, M]` (`out[i*M + j]` = IoU(a_i, b_j)).
 * Follows YOLOv5 `box_iou`: inter / (area_a + area_b − inter), no epsilon; pairs whose union is 0 give 0.
 */
export function boxIou(a: BoxArray, b: BoxArray): Float64Array {
  const n = a.length / 4;
  const m = b.length / 4;
  if (!Number.isInteger(n) || !Number.isInteger(m)) throw new RangeError('box array length is not a multiple of 4');
  const areaA = boxAreas(a);
  const areaB = boxAreas(b);
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const ax1 = a[4 * i]!, ay1 = a[4 * i + 1]!, ax2 = a[4 * i + 2]!, ay2 = a[4 * i + 3]!;
    const aa = areaA[i]!;
    const row = i * m;
    for (let j = 0; j < m; j++) {
      const w = Math.min(ax2, b[4 * j + 2]!) - Math.max(ax1, b[4 * j]!);
      const h = Math.min(ay2, b[4 * j + 3]!) - Math.max(ay1, b[4 * j + 1]!);
      const inter = w > 0 && h > 0 ? w * h : 0;
      const union = aa + areaB[j]! - inter;
      out[row + j] = union > 0 ? inter / union : 0;
    }
  }
  return out;
}

/** IoU of two single xyxy boxes given as 4 numbers each (same rules as {@link boxIou}). */
export function iouPair(
  ax1: number, ay1: number, ax2: number, ay2: number,
  bx1: number, by1: number, bx2: number, by2: number,
): number {
  const w = Math.min(ax2, bx2) - Math.max(ax1, bx1);
  const h = Math.min(ay2, by2) - Math.max(ay1, by1);
  const inter = w > 0 && h > 0 ? w * h : 0;
  const union = Math.max(0, ax2 - ax1) * Math.max(0, ay2 - ay1) + Math.max(0, bx2 - bx1) * Math.max(0, by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}
