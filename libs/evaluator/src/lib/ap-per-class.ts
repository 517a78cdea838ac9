import { argsortNumpy, interpNumpy, linspaceNumpy, pairwiseSum } from './numpy-compat.js';
import { NIOU } from './types.js';

/** Number of points of the confidence grid of the P/R/F1 curves (`np.linspace(0, 1, 1000)`). */
export const CURVE_POINTS = 1000;

/** Inputs of {@link apPerClass}: the concatenated per-prediction statistics of a whole evaluation. */
export interface MatchStats {
  /** `[n, 10]` row-major 0/1: prediction is a true positive at IoU threshold k. */
  correct: Uint8Array;
  /** `[n]` confidences (float32, as the original's tensors). */
  conf: Float32Array;
  /** `[n]` predicted class. */
  predCls: Int32Array;
  /** `[m]` class of every ground-truth box. */
  targetCls: Int32Array;
}

/** Output of {@link apPerClass}; rows follow `classes` (the distinct ground-truth classes, ascending). */
export interface ApPerClassResult {
  classes: Int32Array;
  /** Ground-truth boxes per row of `classes`. */
  labels: Int32Array;
  /** `[nc, 10]` AP at each IoU threshold. */
  ap: Float64Array;
  /** Precision, recall, F1 per class at the confidence where the class-mean F1 is highest. */
  p: Float64Array;
  r: Float64Array;
  f1: Float64Array;
  /** Index into {@link px} of that confidence. */
  bestIndex: number;
  /** The 1000-point grid (confidence for the P/R/F1 curves, recall for the PR curve). */
  px: Float64Array;
  /** `[nc, 1000]` curves: precision/recall/F1 vs confidence, and the precision envelope vs recall at IoU 0.5. */
  pCurve: Float64Array;
  rCurve: Float64Array;
  f1Curve: Float64Array;
  prCurve: Float64Array;
}

const X101 = linspaceNumpy(0, 1, 101);

/**
 * The original's `compute_ap` (utils/metrics.py): sentinels mrec = [0, …recall, recall_last + 0.01],
 * mpre = [1, …precision, 0], precision envelope (running max from the right), 101-point interpolation integrated by
 * `np.trapz`. Returns the AP and leaves the envelope in `mpre`/`mrec` for plotting.
 */
export function computeAp(
  recall: ArrayLike<number>,
  precision: ArrayLike<number>,
  n = recall.length,
  mrec: Float64Array = new Float64Array(n + 2),
  mpre: Float64Array = new Float64Array(n + 2),
): number {
  mrec[0] = 0;
  mpre[0] = 1;
  for (let k = 0; k < n; k++) {
    mrec[k + 1] = recall[k]!;
    mpre[k + 1] = precision[k]!;
  }
  mrec[n + 1] = recall[n - 1]! + 0.01;
  mpre[n + 1] = 0;
  for (let k = n; k >= 0; k--) {
    const a = mpre[k]!, b = mpre[k + 1]!;
    mpre[k] = a !== a || b !== b ? NaN : Math.max(a, b);
  }
  const y = interpNumpy(X101, mrec, mpre, undefined, undefined, new Float64Array(101), n + 2);
  const terms = new Float64Array(100);
  for (let k = 0; k < 100; k++) terms[k] = ((X101[k + 1]! - X101[k]!) * (y[k + 1]! + y[k]!)) / 2.0;
  return pairwiseSum(terms);
}

/**
 * The original's `ap_per_class` (utils/metrics.py, seed = YOLOv5 10d56d784), bit for bit: predictions sorted by
 * −conf with NumPy's (unstable) argsort; for each ground-truth class with predictions, cumulative TP/FP, recall =
 * tp/(n_labels + 1e-16), precision = tp/(tp + fp), AP per threshold by {@link computeAp}; recall/precision vs
 * confidence on the 1000-point grid (np.interp, left = 0 / 1); F1 = 2pr/(p + r + 1e-16); P, R, F1 reported at the
 * argmax of the class-mean F1. Classes with labels but no predictions keep AP = P = R = 0; predictions of classes
 * without labels are ignored.
 */
export function apPerClass(stats: MatchStats): ApPerClassResult {
  const n = stats.conf.length;
  const neg = new Float32Array(n);
  for (let i = 0; i < n; i++) neg[i] = -stats.conf[i]!;
  const order = argsortNumpy(neg);

  const counts = new Map<number, number>();
  for (const c of stats.targetCls) counts.set(c, (counts.get(c) ?? 0) + 1);
  const classes = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  const nc = classes.length;
  const labels = Int32Array.from(classes, (c) => counts.get(c)!);
  let maxCls = 0;
  for (const c of classes) maxCls = Math.max(maxCls, c);
  const rowOf = new Int32Array(maxCls + 1).fill(-1);
  classes.forEach((c, i) => {
    if (c >= 0) rowOf[c] = i;
  });
  const rowOfPred = (k: number) => {
    const c = stats.predCls[k]!;
    return c >= 0 && c <= maxCls ? rowOf[c]! : -1;
  };

  // sorted predictions grouped by class (keeping the sorted order within a class): a counting sort by row
  const start = new Int32Array(nc + 1);
  for (let k = 0; k < n; k++) {
    const ci = rowOfPred(k);
    if (ci >= 0) start[ci + 1]!++;
  }
  for (let ci = 0; ci < nc; ci++) start[ci + 1]! += start[ci]!;
  const grouped = new Int32Array(start[nc]!);
  const fill = start.slice(0, nc);
  for (let k = 0; k < n; k++) {
    const idx = order[k]!;
    const ci = rowOfPred(idx);
    if (ci >= 0) grouped[fill[ci]!++] = idx;
  }

  const px = linspaceNumpy(0, 1, CURVE_POINTS);
  const negPx = px.map((v) => -v);
  const ap = new Float64Array(nc * NIOU);
  const pCurve = new Float64Array(nc * CURVE_POINTS);
  const rCurve = new Float64Array(nc * CURVE_POINTS);
  const prCurve = new Float64Array(nc * CURVE_POINTS);
  for (let ci = 0; ci < nc; ci++) {
    const idx = grouped.subarray(start[ci]!, start[ci + 1]!);
    const np = idx.length;
    const nl = labels[ci]!;
    if (np === 0 || nl === 0) continue;
    const xp = new Float64Array(np);
    const bits = new Uint16Array(np); // the 10 correct flags of each prediction, gathered once
    for (let k = 0; k < np; k++) {
      const i = idx[k]!;
      xp[k] = -stats.conf[i]!;
      let b = 0;
      for (let q = 0; q < NIOU; q++) if (stats.correct[i * NIOU + q]) b |= 1 << q;
      bits[k] = b;
    }
    const recall = new Float64Array(np);
    const precision = new Float64Array(np);
    const mrec = new Float64Array(np + 2);
    const mpre = new Float64Array(np + 2);
    for (let j = 0; j < NIOU; j++) {
      let tp = 0;
      let fp = 0;
      const bit = 1 << j;
      for (let k = 0; k < np; k++) {
        if (bits[k]! & bit) tp++;
        else fp++;
        recall[k] = tp / (nl + 1e-16);
        precision[k] = tp / (tp + fp);
      }
      if (j === 0) {
        interpNumpy(negPx, xp, recall, 0, undefined, rCurve.subarray(ci * CURVE_POINTS, (ci + 1) * CURVE_POINTS));
        interpNumpy(negPx, xp, precision, 1, undefined, pCurve.subarray(ci * CURVE_POINTS, (ci + 1) * CURVE_POINTS));
      }
      ap[ci * NIOU + j] = computeAp(recall, precision, np, mrec, mpre);
      if (j === 0) interpNumpy(px, mrec, mpre, undefined, undefined, prCurve.subarray(ci * CURVE_POINTS, (ci + 1) * CURVE_POINTS));
    }
  }

  const f1Curve = new Float64Array(nc * CURVE_POINTS);
  for (let k = 0; k < f1Curve.length; k++) {
    const p = pCurve[k]!, r = rCurve[k]!;
    f1Curve[k] = (2 * p * r) / (p + r + 1e-16);
  }
  // f1.mean(0).argmax(): class-mean F1 (rows added in order), first maximum
  let bestIndex = 0;
  let bestVal = -Infinity;
  for (let k = 0; k < CURVE_POINTS; k++) {
    let s = 0;
    for (let ci = 0; ci < nc; ci++) s += f1Curve[ci * CURVE_POINTS + k]!;
    const mean = s / nc;
    if (mean > bestVal || (mean !== mean && bestVal === bestVal)) {
      bestVal = mean;
      bestIndex = k;
      if (mean !== mean) break;
    }
  }
  const pick = (curve: Float64Array) => Float64Array.from(classes, (_, ci) => curve[ci * CURVE_POINTS + bestIndex]!);
  return {
    classes,
    labels,
    ap,
    p: pick(pCurve),
    r: pick(rCurve),
    f1: pick(f1Curve),
    bestIndex,
    px,
    pCurve,
    rCurve,
    f1Curve,
    prCurve,
  };
}

/** `ap.mean(1)` of one row of 10 (NumPy pairwise sum / 10). */
export function meanOverThresholds(ap: Float64Array, ci: number): number {
  return pairwiseSum(ap, ci * NIOU, NIOU) / NIOU;
}
