import type { Detections } from '@vigil/core';
import { boxIouF32 } from './box-iou-f32.js';
import { GreedyMatcher } from './greedy-match.js';
import { IOU_THRESHOLDS, type GroundTruth, type MatchingMode, NIOU } from './types.js';

/**
 * Which predictions of one image are true positives at each IoU threshold: returns `correct` `[pred.count, 10]`
 * (row-major, 0/1) for thresholds {@link IOU_THRESHOLDS}. Predictions are visited in the order given — the
 * original's are in NMS order (descending confidence); the scorer sorts file objects stably by confidence first.
 */
export function matchImage(pred: Detections, gt: GroundTruth, mode: MatchingMode = 'seed'): Uint8Array {
  const correct = new Uint8Array(pred.count * NIOU);
  if (pred.count === 0 || gt.count === 0) return correct;
  if (mode === 'seed') matchSeed(pred, gt, correct);
  else if (mode === 'upstream-2021') matchUpstream2021(pred, gt, correct);
  else matchUpstream(pred, gt, correct);
  return correct;
}

/**
 * The original's loop (predict.py `test`, "Per target class"): for every ground-truth class, each prediction of that
 * class takes its best-IoU target (first on ties; NaN wins as in torch `max`); in prediction order, a prediction whose
 * best IoU is > 0.5 and whose target is not yet taken takes it, and is correct at every threshold its IoU exceeds
 * (strict >, float32 values). Classes never share targets, so one pass over the predictions in order visits each
 * class's predictions in the same order as the original's per-class loops.
 */
function matchSeed(pred: Detections, gt: GroundTruth, correct: Uint8Array): void {
  const t0 = IOU_THRESHOLDS[0]!;
  const m = gt.count;
  const tb = gt.boxes;
  const pb = pred.boxes;
  const taken = new Uint8Array(m);
  const areaT = new Float32Array(m);
  for (let t = 0; t < m; t++) areaT[t] = Math.fround(Math.fround(tb[4 * t + 2]! - tb[4 * t]!) * Math.fround(tb[4 * t + 3]! - tb[4 * t + 1]!));
  for (let j = 0; j < pred.count; j++) {
    const c = pred.classes[j]!;
    const ax1 = pb[4 * j]!, ay1 = pb[4 * j + 1]!, ax2 = pb[4 * j + 2]!, ay2 = pb[4 * j + 3]!;
    const areaP = Math.fround(Math.fround(ax2 - ax1) * Math.fround(ay2 - ay1));
    let best = -Infinity;
    let arg = -1;
    for (let t = 0; t < m; t++) {
      if (gt.classes[t] !== c) continue;
      let w = Math.fround(Math.min(ax2, tb[4 * t + 2]!) - Math.max(ax1, tb[4 * t]!));
      let h = Math.fround(Math.min(ay2, tb[4 * t + 3]!) - Math.max(ay1, tb[4 * t + 1]!));
      if (!(w > 0)) w = 0;
      if (!(h > 0)) h = 0;
      const inter = Math.fround(w * h);
      const iou = Math.fround(inter / Math.fround(Math.fround(areaP + areaT[t]!) - inter));
      if (arg < 0 || iou > best || iou !== iou) {
        best = iou;
        arg = t;
        if (iou !== iou) break; // torch max propagates NaN
      }
    }
    if (arg < 0 || !(best > t0) || taken[arg]) continue;
    taken[arg] = 1;
    const row = j * NIOU;
    for (let q = 0; q < NIOU; q++) correct[row + q] = best > IOU_THRESHOLDS[q]! ? 1 : 0;
  }
}

const matcher = new GreedyMatcher();

/** Pairs with IoU ≥ `thr` and equal classes, reduced as upstream's `process_batch` (no re-sort between the uniques). */
function upstreamMatches(iou: Float32Array, pred: Detections, gt: GroundTruth, thr: number): GreedyMatcher {
  const n = pred.count;
  matcher.reset();
  for (let t = 0; t < gt.count; t++) {
    for (let j = 0; j < n; j++) {
      const v = iou[t * n + j]!;
      if (v >= thr && gt.classes[t] === pred.classes[j]) matcher.add(t, j, v);
    }
  }
  matcher.reduce(gt.count, n, false);
  return matcher;
}

/** ultralytics/yolov5#4260 `process_batch`: one matching at IoU ≥ 0.5, correct = IoU ≥ each threshold. */
function matchUpstream2021(pred: Detections, gt: GroundTruth, correct: Uint8Array): void {
  const iou = boxIouF32(gt.boxes, pred.boxes);
  const m = upstreamMatches(iou, pred, gt, IOU_THRESHOLDS[0]!);
  for (let k = 0; k < m.count; k++) {
    const row = m.det[k]! * NIOU;
    for (let q = 0; q < NIOU; q++) correct[row + q] = m.iou[k]! >= IOU_THRESHOLDS[q]! ? 1 : 0;
  }
}

/** Later upstream `process_batch`: for every threshold its own matching at IoU ≥ threshold. */
function matchUpstream(pred: Detections, gt: GroundTruth, correct: Uint8Array): void {
  const iou = boxIouF32(gt.boxes, pred.boxes);
  for (let q = 0; q < NIOU; q++) {
    const m = upstreamMatches(iou, pred, gt, IOU_THRESHOLDS[q]!);
    for (let k = 0; k < m.count; k++) correct[m.det[k]! * NIOU + q] = 1;
  }
}
