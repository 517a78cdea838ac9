import type { Detections } from '@vigil/core';
import { boxIouF32 } from './box-iou-f32.js';
import { GreedyMatcher } from './greedy-match.js';
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
  private readonly matcher = new GreedyMatcher();

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
    const conf = this.conf;
    let nd = 0;
    for (let j = 0; j < detections.count; j++) if (detections.scores[j]! > conf) nd++;
    const boxes = new Float32Array(nd * 4);
    const dcls = new Int32Array(nd);
    for (let j = 0, k = 0; j < detections.count; j++) {
      if (!(detections.scores[j]! > conf)) continue;
      boxes.set(detections.boxes.subarray(4 * j, 4 * j + 4), 4 * k);
      dcls[k++] = detections.classes[j]!;
    }
    const nl = labels.count;
    const iou = boxIouF32(labels.boxes.subarray(0, nl * 4), boxes);
    const m = this.matcher;
    m.reset();
    for (let i = 0; i < nl; i++) for (let j = 0; j < nd; j++) if (iou[i * nd + j]! > this.iouThres) m.add(i, j, iou[i * nd + j]!);
    m.reduce(nl, nd, true);
    const any = m.count > 0;
    // after the reduction each label and each detection appears at most once
    const detOfLabel = new Int32Array(nl).fill(-1);
    const matchedDet = new Uint8Array(nd);
    for (let k = 0; k < m.count; k++) {
      detOfLabel[m.lab[k]!] = m.det[k]!;
      matchedDet[m.det[k]!] = 1;
    }
    for (let i = 0; i < nl; i++) {
      const gc = labels.classes[i]!;
      const d = detOfLabel[i]!;
      if (any && d >= 0) this.matrix[dcls[d]! * n1 + gc]! += 1;
      else this.matrix[this.nc * n1 + gc]! += 1;
    }
    if (any) {
      for (let j = 0; j < nd; j++) if (!matchedDet[j]) this.matrix[dcls[j]! * n1 + this.nc]! += 1;
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
