import { type Detections, VigilUserError, checkRange } from '@vigil/core';
import { type FusionOptions, normalisedBoxes, resolveFusionInput, toDetections } from './fusion-input.js';

/** Options of {@link softNms}; names and defaults follow ensemble_boxes `soft_nms`. */
export interface SoftNmsOptions extends FusionOptions {
  /** 'linear': score·(1 − IoU) above `iouThr`; 'gaussian': score·exp(−IoU²/σ). Default 'gaussian' (as the reference). */
  method?: 'linear' | 'gaussian';
  /** IoU above which the linear method decays a score. Default 0.5. */
  iouThr?: number;
  /** σ of the gaussian method. Default 0.5. */
  sigma?: number;
  /** Boxes whose decayed score is not above this are dropped. Default 0.001. */
  thresh?: number;
  /**
   * Score reported for a kept box: 'decayed' (the soft-NMS paper's, default: the decay is what re-ranks duplicates)
   * or 'original' (ensemble_boxes returns the undecayed, weight-scaled input score; use it to reproduce that library).
   */
  scores?: 'decayed' | 'original';
}

/**
 * Soft-NMS (Bodla et al. 2017) over the concatenated detections of several models, a port of ensemble_boxes
 * `soft_nms` / `cpu_soft_nms_float`: per class, repeatedly move the best remaining box to the front and decay the
 * scores of the boxes after it by their IoU with it; keep boxes whose decayed score > `thresh`.
 *
 * As the reference: with `weights`, every score is first multiplied by weight / Σweights (without weights scores are
 * unchanged); boxes are clipped to [0, 1], corners reordered, zero-area boxes dropped. Boxes xyxy normalised to
 * [0, 1] (or pixels with `imageSize`).
 *
 * @returns kept detections sorted by descending reported score (ties: by class, then the reference's keep order).
 */
export function softNms(models: readonly Detections[], options: SoftNmsOptions = {}): Detections {
  const method = options.method ?? 'gaussian';
  const iouThr = options.iouThr ?? 0.5;
  const sigma = options.sigma ?? 0.5;
  const thresh = options.thresh ?? 0.001;
  const scoreMode = options.scores ?? 'decayed';
  if (method !== 'linear' && method !== 'gaussian') {
    throw new VigilUserError(`soft-NMS method must be 'linear' or 'gaussian', got ${String(method)}`);
  }
  if (scoreMode !== 'decayed' && scoreMode !== 'original') {
    throw new VigilUserError(`soft-NMS scores must be 'decayed' or 'original', got ${String(scoreMode)}`);
  }
  checkRange('soft-NMS iou_thr', iouThr, 0, 1);
  checkRange('soft-NMS sigma', sigma, Number.MIN_VALUE, Number.MAX_VALUE);
  checkRange('soft-NMS thresh', thresh, 0, 1);
  const weights = resolveFusionInput(models, options);
  let weightSum = 0;
  for (const w of weights) weightSum += w;

  // nms_method: weight the scores, concatenate the models, prepare_boxes (clip, order corners, drop zero area).
  let total = 0;
  for (const d of models) total += d.count;
  const box = new Float64Array(4 * total);
  const score = new Float64Array(total);
  const label = new Int32Array(total);
  let n = 0;
  const clip = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  models.forEach((d, t) => {
    const b = normalisedBoxes(d, options.imageSize);
    for (let j = 0; j < d.count; j++) {
      const x1 = clip(b[4 * j]!), y1 = clip(b[4 * j + 1]!), x2 = clip(b[4 * j + 2]!), y2 = clip(b[4 * j + 3]!);
      const bx1 = Math.min(x1, x2), bx2 = Math.max(x1, x2), by1 = Math.min(y1, y2), by2 = Math.max(y1, y2);
      if ((bx2 - bx1) * (by2 - by1) === 0) continue;
      box[4 * n] = bx1;
      box[4 * n + 1] = by1;
      box[4 * n + 2] = bx2;
      box[4 * n + 3] = by2;
      score[n] = options.weights ? (d.scores[j]! * weights[t]!) / weightSum : d.scores[j]!;
      label[n] = d.classes[j]!;
      n++;
    }
  });

  const outBox = new Float64Array(4 * n);
  const outScore = new Float64Array(n);
  const outLabel = new Int32Array(n);
  let nOut = 0;
  const uniqueLabels = [...new Set(label.subarray(0, n))].sort((a, b) => a - b);
  for (const l of uniqueLabels) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (label[i] === l) idx.push(i);
    const kept = softNmsLabel(idx, box, score, iouThr, sigma, thresh, method);
    for (const [i, decayed] of kept) {
      outBox.set(box.subarray(4 * i, 4 * i + 4), 4 * nOut);
      outScore[nOut] = scoreMode === 'decayed' ? decayed : score[i]!;
      outLabel[nOut] = l;
      nOut++;
    }
  }
  return toDetections(outBox, outScore, outLabel, nOut, options.imageSize, 'stable');
}

/**
 * ensemble_boxes `cpu_soft_nms_float` on the boxes `idx` of one class: returns [box index, decayed score] of the
 * kept boxes in the reference's order (the order in which boxes were moved to the front).
 */
function softNmsLabel(
  idx: number[],
  box: Float64Array,
  score: Float64Array,
  iouThr: number,
  sigma: number,
  thresh: number,
  method: 'linear' | 'gaussian',
): [number, number][] {
  const N = idx.length;
  const order = Int32Array.from(idx); // position → box index (the reference's dets[:, 4])
  const sc = Float64Array.from(idx, (i) => score[i]!);
  const area = Float64Array.from(idx, (i) => (box[4 * i + 2]! - box[4 * i]!) * (box[4 * i + 3]! - box[4 * i + 1]!));
  const swap = (a: number, b: number) => {
    [order[a], order[b]] = [order[b]!, order[a]!];
    [sc[a], sc[b]] = [sc[b]!, sc[a]!];
    [area[a], area[b]] = [area[b]!, area[a]!];
  };
  for (let i = 0; i < N; i++) {
    // Bring the highest remaining score (first arg-max) to position i when it beats the current one.
    let maxPos = i + 1;
    for (let p = i + 2; p < N; p++) if (sc[p]! > sc[maxPos]!) maxPos = p;
    if (maxPos < N && sc[i]! < sc[maxPos]!) swap(i, maxPos);
    const bi = 4 * order[i]!;
    const ix1 = box[bi]!, iy1 = box[bi + 1]!, ix2 = box[bi + 2]!, iy2 = box[bi + 3]!;
    for (let p = i + 1; p < N; p++) {
      const bp = 4 * order[p]!;
      // The reference computes the overlap with x and y swapped; the product is the same.
      const w = Math.max(0, Math.min(iy2, box[bp + 3]!) - Math.max(iy1, box[bp + 1]!));
      const h = Math.max(0, Math.min(ix2, box[bp + 2]!) - Math.max(ix1, box[bp]!));
      const inter = w * h;
      const ovr = inter / (area[i]! + area[p]! - inter);
      const weight = method === 'linear' ? (ovr > iouThr ? 1 - ovr : 1) : Math.exp(-(ovr * ovr) / sigma);
      sc[p] = weight * sc[p]!;
    }
  }
  const kept: [number, number][] = [];
  for (let p = 0; p < N; p++) if (sc[p]! > thresh) kept.push([order[p]!, sc[p]!]);
  return kept;
}
