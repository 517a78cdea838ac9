import { type Detections, checkRange } from '@vigil/core';
import { type FusionOptions, prefilterBoxes, resolveFusionInput, toDetections } from './fusion-input.js';

const f32 = Math.fround;

/** Options of {@link nonMaximumWeighted}; names and defaults follow ensemble_boxes `non_maximum_weighted`. */
export interface NmwOptions extends FusionOptions {
  /** IoU above which a box joins the cluster of a kept (maximum) box, strictly greater. Default 0.55. */
  iouThr?: number;
  /** Boxes with a (raw, unweighted) score below this are ignored. Default 0. */
  skipBoxThr?: number;
}

/**
 * Non-maximum weighted (Zhou et al. 2017, "CAD: Scale invariant framework for real-time object detection"), a port of
 * ensemble_boxes `non_maximum_weighted`: model weights are divided by their maximum and multiply the scores; per
 * class, boxes sorted by weighted score are clustered around the highest-scored box they overlap with IoU >
 * `iouThr` (the cluster's first box, not its fused box); a cluster becomes the mean of its boxes weighted by
 * score × IoU with the first box, with the first box's score.
 *
 * Boxes xyxy normalised to [0, 1] (or pixels with `imageSize`). Like the reference the fused values are float32.
 * @returns fused detections by descending score.
 */
export function nonMaximumWeighted(models: readonly Detections[], options: NmwOptions = {}): Detections {
  const iouThr = options.iouThr ?? 0.55;
  const skipBoxThr = options.skipBoxThr ?? 0;
  checkRange('NMW iou_thr', iouThr, 0, 1);
  checkRange('NMW skip_box_thr', skipBoxThr, 0, 1);
  const weights = resolveFusionInput(models, options);
  let weightMax = -Infinity;
  for (const w of weights) weightMax = Math.max(weightMax, w);
  for (let t = 0; t < weights.length; t++) weights[t] = weights[t]! / weightMax;
  const g = prefilterBoxes(models, weights, skipBoxThr, options.imageSize);

  const total = g.score.length;
  const outBox = new Float64Array(4 * total);
  const outScore = new Float64Array(total);
  const outLabel = new Int32Array(total);
  let nOut = 0;
  for (let li = 0; li < g.labels.length; li++) {
    const members = g.members[li]!;
    const heads: number[] = [];
    const clusters: number[][] = [];
    for (let k = 0; k < members.length; k++) {
      const j = members[k]!;
      // find_matching_box: the head with the highest IoU > iouThr (first one on ties).
      let best = -1;
      let bestIou = iouThr;
      for (let c = 0; c < heads.length; c++) {
        const iou = bbIou(g.box, 4 * heads[c]!, 4 * j);
        if (iou > bestIou) {
          best = c;
          bestIou = iou;
        }
      }
      if (best !== -1) clusters[best]!.push(j);
      else {
        heads.push(j);
        clusters.push([j]);
      }
    }
    // get_weighted_box: float32 accumulator, float64 weights; numpy 1.x divides in float32.
    for (const cl of clusters) {
      const head = cl[0]!;
      const acc = [0, 0, 0, 0];
      let conf = 0;
      for (const j of cl) {
        const w = g.score[j]! * bbIou(g.box, 4 * j, 4 * head);
        for (let q = 0; q < 4; q++) acc[q] = f32(acc[q]! + w * g.box[4 * j + q]!);
        conf += w;
      }
      const conf32 = f32(conf);
      for (let q = 0; q < 4; q++) outBox[4 * nOut + q] = f32(acc[q]! / conf32);
      outScore[nOut] = f32(g.score[head]!);
      outLabel[nOut] = g.labels[li]!;
      nOut++;
    }
  }
  return toDetections(outBox, outScore, outLabel, nOut, options.imageSize);
}

/** ensemble_boxes `bb_intersection_over_union` of two boxes stored at offsets `a` and `b` of `box` (xyxy). */
function bbIou(box: Float64Array, a: number, b: number): number {
  const xA = Math.max(box[a]!, box[b]!);
  const yA = Math.max(box[a + 1]!, box[b + 1]!);
  const xB = Math.min(box[a + 2]!, box[b + 2]!);
  const yB = Math.min(box[a + 3]!, box[b + 3]!);
  const inter = Math.max(0, xB - xA) * Math.max(0, yB - yA);
  if (inter === 0) return 0;
  const areaA = (box[a + 2]! - box[a]!) * (box[a + 3]! - box[a + 1]!);
  const areaB = (box[b + 2]! - box[b]!) * (box[b + 3]! - box[b + 1]!);
  return inter / (areaA + areaB - inter);
}
