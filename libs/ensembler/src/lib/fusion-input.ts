import { type Detections, VigilUserError, checkRange } from '@vigil/core';

/** Options shared by the box-fusion methods (WBF, soft-NMS, NMW), which work on per-model {@link Detections}. */
export interface FusionOptions {
  /** Weight of each model (same order as the models), positive. Default: 1 for every model. */
  weights?: readonly number[];
  /**
   * Class list of each model (same order as the models), e.g. the checkpoints' `names`. When given, every model's
   * list must be identical: fusing class 3 of one model with class 3 of another only makes sense if it is the same
   * class. Models without a list (`undefined`) are not checked.
   */
  classNames?: readonly (readonly string[] | undefined)[];
  /**
   * Size of the image the boxes are in, when they are in pixels: boxes are normalised to [0, 1] before fusion (the
   * reference works on normalised boxes and clips to [0, 1]) and the results are scaled back to pixels.
   * Default: boxes are already normalised.
   */
  imageSize?: { width: number; height: number };
}

/** Checks and resolves the common options; returns per-model weights. Throws VigilUserError on bad input. */
export function resolveFusionInput(models: readonly Detections[], options: FusionOptions): Float64Array {
  const m = models.length;
  for (let t = 0; t < m; t++) {
    const d = models[t]!;
    if (d.boxes.length !== 4 * d.count || d.scores.length !== d.count || d.classes.length !== d.count) {
      throw new VigilUserError(
        `model ${t}: detections are inconsistent (count ${d.count}, ${d.boxes.length / 4} boxes, ${d.scores.length} scores, ` +
          `${d.classes.length} classes); pass one box, score and class per detection`,
      );
    }
  }
  checkClassNames(options.classNames, m);
  const weights = new Float64Array(m).fill(1);
  if (options.weights !== undefined) {
    if (options.weights.length !== m) {
      throw new VigilUserError(`ensemble weights: got ${options.weights.length} weights for ${m} models; give one weight per model`);
    }
    options.weights.forEach((w, t) => {
      if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) {
        throw new VigilUserError(`ensemble weights: weight of model ${t} must be a positive number, got ${String(w)}`);
      }
      weights[t] = w;
    });
  }
  if (options.imageSize) {
    const { width, height } = options.imageSize;
    checkRange('image width', width, Number.MIN_VALUE, Number.MAX_VALUE);
    checkRange('image height', height, Number.MIN_VALUE, Number.MAX_VALUE);
  }
  return weights;
}

/**
 * Throws a {@link VigilUserError} when two models' class lists differ (names, order or count).
 * @param classNames one list per model (undefined = unknown, not checked); its length must match `numModels`.
 */
export function checkClassNames(classNames: readonly (readonly string[] | undefined)[] | undefined, numModels: number): void {
  if (!classNames) return;
  if (classNames.length !== numModels) {
    throw new VigilUserError(`ensemble: got ${classNames.length} class lists for ${numModels} models; give one list per model`);
  }
  let ref: readonly string[] | undefined;
  let refIndex = -1;
  classNames.forEach((names, t) => {
    if (!names) return;
    if (!ref) {
      ref = names;
      refIndex = t;
      return;
    }
    const same = names.length === ref.length && names.every((n, i) => n === ref![i]);
    if (!same) {
      throw new VigilUserError(
        `ensemble: model ${t} has classes [${names.join(', ')}] but model ${refIndex} has [${ref.join(', ')}]; ` +
          'models can only be ensembled when they were trained on the same class list (same names, same order)',
      );
    }
  });
}

/** Boxes of one model, normalised when `imageSize` is given; float64 for the fusion arithmetic. */
export function normalisedBoxes(d: Detections, imageSize: FusionOptions['imageSize']): Float64Array {
  const out = Float64Array.from(d.boxes);
  if (imageSize) {
    for (let i = 0; i < out.length; i += 2) {
      out[i] = out[i]! / imageSize.width;
      out[i + 1] = out[i + 1]! / imageSize.height;
    }
  }
  return out;
}

/**
 * Fused boxes (float64, normalised) → {@link Detections}, sorted by descending score with exact ties in reverse input
 * order, like the reference's `argsort()[::-1]` (numpy's sort is an insertion sort, hence stable, below 17 elements;
 * above that its order among exact ties is unspecified). Scales back to pixels when `imageSize` is given.
 */
export function toDetections(
  boxes: Float64Array,
  scores: Float64Array,
  labels: Int32Array,
  count: number,
  imageSize: FusionOptions['imageSize'],
  order: 'reverse-ties' | 'stable' = 'reverse-ties',
): Detections {
  const idx = Array.from({ length: count }, (_, i) => i);
  idx.sort(order === 'reverse-ties' ? (a, b) => scores[b]! - scores[a]! || b - a : (a, b) => scores[b]! - scores[a]! || a - b);
  const out: Detections = {
    count,
    boxes: new Float32Array(4 * count),
    scores: new Float32Array(count),
    classes: new Int32Array(count),
  };
  const sx = imageSize?.width ?? 1;
  const sy = imageSize?.height ?? 1;
  for (let k = 0; k < count; k++) {
    const i = idx[k]!;
    out.boxes[4 * k] = boxes[4 * i]! * sx;
    out.boxes[4 * k + 1] = boxes[4 * i + 1]! * sy;
    out.boxes[4 * k + 2] = boxes[4 * i + 2]! * sx;
    out.boxes[4 * k + 3] = boxes[4 * i + 3]! * sy;
    out.scores[k] = scores[i]!;
    out.classes[k] = labels[i]!;
  }
  return out;
}

/** A prefiltered box of the reference's `prefilter_boxes`: normalised, clipped, ordered, non-empty. */
export interface PrefilteredGroups {
  /** Class labels in order of first appearance (the reference's dict insertion order). */
  labels: number[];
  /** Per label: indices into the flat arrays below, sorted by weighted score descending, ties in reverse order. */
  members: Int32Array[];
  /** Flat per-box arrays: weighted score (score·weight), model weight, model index, xyxy. */
  score: Float64Array;
  weight: Float64Array;
  model: Int32Array;
  box: Float64Array;
}

/**
 * ensemble_boxes `prefilter_boxes` (WBF and NMW): drop boxes with score < `skipBoxThr` (raw score), swap reversed
 * corners, clip to [0, 1], drop zero-area boxes, weight the score, group by label, sort each group by weighted score.
 */
export function prefilterBoxes(
  models: readonly Detections[],
  weights: Float64Array,
  skipBoxThr: number,
  imageSize: FusionOptions['imageSize'],
): PrefilteredGroups {
  let total = 0;
  for (const d of models) total += d.count;
  const score = new Float64Array(total);
  const weight = new Float64Array(total);
  const model = new Int32Array(total);
  const box = new Float64Array(4 * total);
  const byLabel = new Map<number, number[]>();
  let n = 0;
  const clip = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  models.forEach((d, t) => {
    const b = normalisedBoxes(d, imageSize);
    for (let j = 0; j < d.count; j++) {
      const s = d.scores[j]!;
      if (s < skipBoxThr) continue;
      let x1 = b[4 * j]!, y1 = b[4 * j + 1]!, x2 = b[4 * j + 2]!, y2 = b[4 * j + 3]!;
      if (x2 < x1) [x1, x2] = [x2, x1];
      if (y2 < y1) [y1, y2] = [y2, y1];
      x1 = clip(x1);
      x2 = clip(x2);
      y1 = clip(y1);
      y2 = clip(y2);
      if ((x2 - x1) * (y2 - y1) === 0) continue;
      score[n] = s * weights[t]!;
      weight[n] = weights[t]!;
      model[n] = t;
      box[4 * n] = x1;
      box[4 * n + 1] = y1;
      box[4 * n + 2] = x2;
      box[4 * n + 3] = y2;
      const label = d.classes[j]!;
      let list = byLabel.get(label);
      if (!list) byLabel.set(label, (list = []));
      list.push(n);
      n++;
    }
  });
  const labels = [...byLabel.keys()];
  const members = labels.map((l) => {
    const list = byLabel.get(l)!;
    // argsort()[::-1]: descending; among equal scores the later box first.
    return Int32Array.from(list.map((_, k) => k).sort((a, b) => score[list[b]!]! - score[list[a]!]! || b - a), (k) => list[k]!);
  });
  return { labels, members, score, weight, model, box };
}
