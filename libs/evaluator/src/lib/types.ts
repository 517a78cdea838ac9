/**
 * Ground-truth boxes of one image: `boxes` xyxy in pixels `[count, 4]` float32 (row-major), `classes` `[count]`.
 * Predictions use `Detections` from @vigil/core (boxes xyxy pixels float32, scores float32, classes int32).
 */
export interface GroundTruth {
  count: number;
  boxes: Float32Array;
  classes: Int32Array;
}

/**
 * How predictions are matched to ground truth:
 * - `seed`: the original's `predict.py test` loop (per class, greedy in prediction order, IoU > 0.5 strict).
 * - `upstream-2021`: YOLOv5 val.py `process_batch` as introduced in ultralytics/yolov5#4260 (Aug 2021): one
 *   matching at IoU ≥ 0.5 by descending IoU, then `correct = IoU ≥ threshold`.
 * - `upstream`: later YOLOv5 `process_batch` (utils/metrics.py): an independent matching for every threshold.
 */
export type MatchingMode = 'seed' | 'upstream-2021' | 'upstream';

/** Number of IoU thresholds (linspace(0.5, 0.95, 10)). */
export const NIOU = 10;

/**
 * The IoU thresholds as the original holds them: `torch.linspace(0.5, 0.95, 10)` in float32 (e.g. 0.55 is
 * 0.550000011920929). Comparisons with float32 IoUs use these values, so an IoU that rounds to exactly 0.55f is NOT
 * above 0.55 — as in the original.
 */
export const IOU_THRESHOLDS: readonly number[] = Object.freeze(
  Array.from({ length: NIOU }, (_, i) => Math.fround(0.5 + 0.05 * i)),
);
