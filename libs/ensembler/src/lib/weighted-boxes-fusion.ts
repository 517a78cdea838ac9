import { type Detections, VigilUserError, checkRange } from '@vigil/core';
import { type FusionOptions, prefilterBoxes, resolveFusionInput, toDetections } from './fusion-input.js';

const f32 = Math.fround;

/** How WBF computes a fused box's confidence (ensemble_boxes `conf_type`). */
export type WbfConfType = 'avg' | 'max' | 'box_and_model_avg' | 'absent_model_aware_avg';

/** Options of {@link weightedBoxesFusion}; names and defaults follow ensemble_boxes `weighted_boxes_fusion`. */
export interface WbfOptions extends FusionOptions {
  /** IoU above which a box joins a cluster (strictly greater). Default 0.55. */
  iouThr?: number;
  /** Boxes with a (raw, unweighted) score below this are ignored. Default 0. */
  skipBoxThr?: number;
  /** Confidence of a fused box. Default 'avg'. */
  confType?: WbfConfType;
  /** With 'avg': let the confidence exceed 1 when a cluster has more boxes than there are models. Default false. */
  allowsOverflow?: boolean;
}

const CONF_TYPES: readonly WbfConfType[] = ['avg', 'max', 'box_and_model_avg', 'absent_model_aware_avg'];

/**
 * Weighted boxes fusion (Solovyev et al. 2019), a port of ZFTurbo's ensemble_boxes `weighted_boxes_fusion`
 * (github.com/ZFTurbo/Weighted-Boxes-Fusion, v1.0.9+): per class, boxes sorted by weighted score are clustered
 * greedily — each joins the fused box it overlaps most if that IoU > `iouThr` — and every cluster becomes the
 * score-weighted mean of its boxes, with a confidence rescaled by the number of boxes/models per `confType`.
 *
 * Boxes are xyxy normalised to [0, 1] (or pixels with `imageSize`). Arithmetic follows the reference, including
 * its float32 fused boxes (it keeps them in a float32 numpy array), so results match it to ~1e-7.
 *
 * @param models the detections of one image by each model (each model may also be a TTA pass).
 * @returns fused detections of that image, by descending confidence.
 */
export function weightedBoxesFusion(models: readonly Detections[], options: WbfOptions = {}): Detections {
  const iouThr = options.iouThr ?? 0.55;
  const skipBoxThr = options.skipBoxThr ?? 0;
  const confType = options.confType ?? 'avg';
  checkRange('WBF iou_thr', iouThr, 0, 1);
  checkRange('WBF skip_box_thr', skipBoxThr, 0, 1);
  if (!CONF_TYPES.includes(confType)) {
    throw new VigilUserError(`WBF conf_type must be one of ${CONF_TYPES.join(', ')}, got ${String(confType)}`);
  }
  const weights = resolveFusionInput(models, options);
  let weightSum = 0;
  let weightMax = -Infinity;
  for (const w of weights) {
    weightSum += w;
    weightMax = Math.max(weightMax, w);
  }
  const g = prefilterBoxes(models, weights, skipBoxThr, options.imageSize);

  const total = g.score.length;
  const outBox = new Float64Array(4 * total);
  const outScore = new Float64Array(total);
  const outLabel = new Int32Array(total);
  let nOut = 0;

  for (let li = 0; li < g.labels.length; li++) {
    const members = g.members[li]!;
    // Fused boxes of this label: the reference's `weighted_boxes` rows (score, weight, xyxy) plus, per cluster,
    // the running sums of get_weighted_box (float32 box accumulator, float64 conf / weight, max conf) and members.
    const cap = members.length;
    const fScore = new Float64Array(cap);
    const fWeight = new Float64Array(cap);
    const fBox = new Float64Array(4 * cap);
    const accBox = new Float64Array(4 * cap);
    const accConf = new Float64Array(cap);
    const accW = new Float64Array(cap);
    const accMax = new Float64Array(cap);
    const clusters: number[][] = [];
    let nc = 0;

    for (let k = 0; k < members.length; k++) {
      const j = members[k]!;
      const bx1 = g.box[4 * j]!, by1 = g.box[4 * j + 1]!, bx2 = g.box[4 * j + 2]!, by2 = g.box[4 * j + 3]!;
      // find_matching_box_fast: IoU with every fused box, first arg-max, matched when IoU > iouThr.
      const areaB = (bx2 - bx1) * (by2 - by1);
      let best = -1;
      let bestIou = -Infinity;
      for (let c = 0; c < nc; c++) {
        const cx1 = fBox[4 * c]!, cy1 = fBox[4 * c + 1]!, cx2 = fBox[4 * c + 2]!, cy2 = fBox[4 * c + 3]!;
        const inter = Math.max(Math.min(cx2, bx2) - Math.max(cx1, bx1), 0) * Math.max(Math.min(cy2, by2) - Math.max(cy1, by1), 0);
        const iou = inter / ((cx2 - cx1) * (cy2 - cy1) + areaB - inter);
        if (iou > bestIou) {
          bestIou = iou;
          best = c;
        }
      }
      const s = g.score[j]!;
      if (best !== -1 && bestIou > iouThr) {
        // get_weighted_box over the cluster, updated incrementally (same operation order as recomputing it).
        clusters[best]!.push(j);
        const n = clusters[best]!.length;
        for (let q = 0; q < 4; q++) accBox[4 * best + q] = f32(accBox[4 * best + q]! + s * g.box[4 * j + q]!);
        accConf[best] = accConf[best]! + s;
        accW[best] = accW[best]! + g.weight[j]!;
        accMax[best] = Math.max(accMax[best]!, s);
        fScore[best] = f32(confType === 'max' ? accMax[best]! : accConf[best]! / n);
        fWeight[best] = f32(accW[best]!);
        // numpy 1.x divides the float32 box by the float64 scalar conf in float32 (value-based casting).
        const conf32 = f32(accConf[best]!);
        for (let q = 0; q < 4; q++) fBox[4 * best + q] = f32(accBox[4 * best + q]! / conf32);
      } else {
        const c = nc++;
        clusters.push([j]);
        fScore[c] = s;
        fWeight[c] = g.weight[j]!;
        for (let q = 0; q < 4; q++) {
          fBox[4 * c + q] = g.box[4 * j + q]!;
          accBox[4 * c + q] = f32(s * g.box[4 * j + q]!);
        }
        accConf[c] = s;
        accW[c] = g.weight[j]!;
        accMax[c] = s;
      }
    }

    // Rescale the confidence by the number of boxes and models in each cluster.
    for (let c = 0; c < nc; c++) {
      const cl = clusters[c]!;
      const n = cl.length;
      let score = fScore[c]!;
      if (confType === 'box_and_model_avg') {
        score = (score * n) / fWeight[c]!;
        score = (score * sumOverModels(cl, g, weights, 'present')) / weightSum;
      } else if (confType === 'absent_model_aware_avg') {
        score = (score * n) / (fWeight[c]! + sumOverModels(cl, g, weights, 'absent'));
      } else if (confType === 'max') {
        score = score / weightMax;
      } else if (!options.allowsOverflow) {
        score = (score * Math.min(weights.length, n)) / weightSum;
      } else {
        score = (score * n) / weightSum;
      }
      outScore[nOut] = score;
      outLabel[nOut] = g.labels[li]!;
      outBox.set(fBox.subarray(4 * c, 4 * c + 4), 4 * nOut);
      nOut++;
    }
  }
  return toDetections(outBox, outScore, outLabel, nOut, options.imageSize);
}

/** Sum of the weights of the models present in (or absent from) a cluster, in model-index order like numpy. */
function sumOverModels(cluster: number[], g: { model: Int32Array }, weights: Float64Array, which: 'present' | 'absent'): number {
  const present = new Uint8Array(weights.length);
  for (const j of cluster) present[g.model[j]!] = 1;
  let sum = 0;
  for (let t = 0; t < weights.length; t++) if ((present[t] === 1) === (which === 'present')) sum += weights[t]!;
  return sum;
}
