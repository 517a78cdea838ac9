import type { Detections } from '@vigil/core';
import { boxIouF32 } from './box-iou-f32.js';
import { argsortNumpy, uniqueFirstIndex } from './numpy-compat.js';
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
 * (strict >, float32 values).
 */
function matchSeed(pred: Detections, gt: GroundTruth, correct: Uint8Array): void {
  const t0 = IOU_THRESHOLDS[0]!;
  const byClass = new Map<number, number[]>();
  for (let t = 0; t < gt.count; t++) {
    const c = gt.classes[t]!;
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(t);
  }
  for (const [c, ti] of byClass) {
    const pi: number[] = [];
    for (let j = 0; j < pred.count; j++) if (pred.classes[j] === c) pi.push(j);
    if (pi.length === 0) continue;
    const iou = boxIouF32(pred.boxes, gt.boxes, pi, ti);
    const m = ti.length;
    const taken = new Uint8Array(m);
    for (let k = 0; k < pi.length; k++) {
      let best = iou[k * m]!;
      let arg = 0;
      for (let l = 1; l < m && best === best; l++) {
        const v = iou[k * m + l]!;
        if (v !== v || v > best) {
          best = v;
          arg = l;
        }
      }
      if (!(best > t0) || taken[arg]) continue;
      taken[arg] = 1;
      const row = pi[k]! * NIOU;
      for (let q = 0; q < NIOU; q++) correct[row + q] = best > IOU_THRESHOLDS[q]! ? 1 : 0;
    }
  }
}

/**
 * Candidate (label, detection, iou) triples with IoU ≥ `thr` and equal classes, in torch.where's row-major order,
 * reduced as upstream: sort by IoU descending (NumPy argsort reversed), keep the first of each detection, then the
 * first of each label.
 */
function upstreamMatches(iou: Float32Array, pred: Detections, gt: GroundTruth, thr: number): { det: number[]; iou: number[] } {
  const n = pred.count;
  let lab: number[] = [];
  let det: number[] = [];
  let val: number[] = [];
  for (let t = 0; t < gt.count; t++) {
    for (let j = 0; j < n; j++) {
      const v = iou[t * n + j]!;
      if (v >= thr && gt.classes[t] === pred.classes[j]) {
        lab.push(t);
        det.push(j);
        val.push(v);
      }
    }
  }
  if (lab.length > 1) {
    const order = argsortNumpy(val).reverse();
    const pick = (ix: ArrayLike<number>) => {
      lab = Array.from(ix, (k) => lab[k]!);
      det = Array.from(ix, (k) => det[k]!);
      val = Array.from(ix, (k) => val[k]!);
    };
    pick(order);
    pick(uniqueFirstIndex(det));
    pick(uniqueFirstIndex(lab));
  }
  return { det, iou: val };
}

/** ultralytics/yolov5#4260 `process_batch`: one matching at IoU ≥ 0.5, correct = IoU ≥ each threshold. */
function matchUpstream2021(pred: Detections, gt: GroundTruth, correct: Uint8Array): void {
  const iou = boxIouF32(gt.boxes, pred.boxes);
  const m = upstreamMatches(iou, pred, gt, IOU_THRESHOLDS[0]!);
  for (let k = 0; k < m.det.length; k++) {
    const row = m.det[k]! * NIOU;
    for (let q = 0; q < NIOU; q++) correct[row + q] = m.iou[k]! >= IOU_THRESHOLDS[q]! ? 1 : 0;
  }
}

/** Later upstream `process_batch`: for every threshold its own matching at IoU ≥ threshold. */
function matchUpstream(pred: Detections, gt: GroundTruth, correct: Uint8Array): void {
  const iou = boxIouF32(gt.boxes, pred.boxes);
  for (let q = 0; q < NIOU; q++) {
    const m = upstreamMatches(iou, pred, gt, IOU_THRESHOLDS[q]!);
    for (const d of m.det) correct[d * NIOU + q] = 1;
  }
}
