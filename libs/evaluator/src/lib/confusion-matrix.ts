import type { Detections } from '@vigil/core';
import { boxIouF32 } from './box-iou-f32.js';
import { argsortNumpy, uniqueFirstIndex } from './numpy-compat.js';
import type { GroundTruth } from './types.js';

/** Options of {@link ConfusionMatrix}; defaults are the original's. */
export interface ConfusionMatrixOptions {
  /** Detections with confidence > conf are counted (0.25). */
  conf?: number;
  /** A detection and a label match when IoU > iouThres (0.45). */
  iouThres?: number;
}

/**
 * Detection confusion matrix as the original's `ConfusionMatrix` (utils/metrics.py): `(nc+1) × (nc+1)`, row =
 * predicted class, column = true class; the last row counts labels no detection matched ("background FP" in the
 * original's plot), the last column detections that matched no label ("background FN"). Matching: pairs with
 * IoU > iouThres, greedy by descending IoU, one detection per label and one label per detection. Quirk kept: when an
 * image has no matching pair at all, its unmatched detections are not counted.
 */
export class ConfusionMatrix {
  /** Row-major `[nc+1, nc+1]` counts. */
  readonly matrix: Float64Array;
  readonly conf: number;
  readonly iouThres: number;

  constructor(
    readonly nc: number,
    options: ConfusionMatrixOptions = {},
  ) {
    this.matrix = new Float64Array((nc + 1) * (nc + 1));
    // the original compares float32 tensors with Python floats: the thresholds act as float32 values
    this.conf = Math.fround(options.conf ?? 0.25);
    this.iouThres = Math.fround(options.iouThres ?? 0.45);
  }

  /** Counts one image: detections (xyxy pixels, scores, classes) against its ground truth. */
  processBatch(detections: Detections, labels: GroundTruth): void {
    const n1 = this.nc + 1;
    const keep: number[] = [];
    for (let j = 0; j < detections.count; j++) if (detections.scores[j]! > this.conf) keep.push(j);
    const boxes = new Float32Array(keep.length * 4);
    keep.forEach((j, k) => boxes.set(detections.boxes.subarray(4 * j, 4 * j + 4), 4 * k));
    const dcls = Int32Array.from(keep, (j) => detections.classes[j]!);
    const nd = keep.length;
    const iou = boxIouF32(labels.boxes.subarray(0, labels.count * 4), boxes);
    let m0: number[] = [];
    let m1: number[] = [];
    let mv: number[] = [];
    for (let i = 0; i < labels.count; i++) {
      for (let j = 0; j < nd; j++) {
        if (iou[i * nd + j]! > this.iouThres) {
          m0.push(i);
          m1.push(j);
          mv.push(iou[i * nd + j]!);
        }
      }
    }
    if (m0.length > 1) {
      const pick = (ix: ArrayLike<number>) => {
        m0 = Array.from(ix, (k) => m0[k]!);
        m1 = Array.from(ix, (k) => m1[k]!);
        mv = Array.from(ix, (k) => mv[k]!);
      };
      pick(argsortNumpy(mv).reverse());
      pick(uniqueFirstIndex(m1));
      pick(argsortNumpy(mv).reverse());
      pick(uniqueFirstIndex(m0));
    }
    const any = m0.length > 0;
    for (let i = 0; i < labels.count; i++) {
      const gc = labels.classes[i]!;
      let count = 0;
      let at = -1;
      for (let k = 0; k < m0.length; k++) if (m0[k] === i) { count++; at = k; }
      if (any && count === 1) this.matrix[dcls[m1[at]!]! * n1 + gc]! += 1;
      else this.matrix[this.nc * n1 + gc]! += 1;
    }
    if (any) {
      for (let j = 0; j < nd; j++) if (!m1.includes(j)) this.matrix[dcls[j]! * n1 + this.nc]! += 1;
    }
  }

  /** Column-normalised matrix as the original's plot shows it: matrix / (column sum + 1e-6). */
  normalized(): Float64Array {
    const n1 = this.nc + 1;
    const out = new Float64Array(this.matrix.length);
    for (let c = 0; c < n1; c++) {
      let s = 0;
      for (let r = 0; r < n1; r++) s += this.matrix[r * n1 + c]!;
      for (let r = 0; r < n1; r++) out[r * n1 + c] = this.matrix[r * n1 + c]! / (s + 1e-6);
    }
    return out;
  }

  /** The counts as CSV: header `predicted\true,<names…>,background`, one row per predicted class + background. */
  toCsv(names: readonly string[]): string {
    const n1 = this.nc + 1;
    const labels = [...names.slice(0, this.nc), 'background'];
    const lines = [['predicted\\true', ...labels].join(',')];
    for (let r = 0; r < n1; r++) lines.push([labels[r], ...Array.from(this.matrix.subarray(r * n1, (r + 1) * n1))].join(','));
    return lines.join('\n') + '\n';
  }
}
