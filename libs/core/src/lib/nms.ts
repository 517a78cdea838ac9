import { checkRange } from './errors.js';

const f32 = Math.fround;

/** Class offset of YOLOv5's batched-NMS trick (`max_wh`): boxes of different classes never overlap after it. */
export const NMS_CLASS_OFFSET = 4096;

/** Options of {@link nonMaxSuppression}; names and defaults follow YOLOv5 `non_max_suppression`. */
export interface NmsOptions {
  /** Number of classes `nc`; each candidate row holds 5 + nc values. */
  numClasses: number;
  /** Keep candidates with obj > conf and obj·cls > conf. Default 0.25 (predict uses 0.006). */
  confThres?: number;
  /** IoU above which a lower-scored box of the same class is suppressed. Default 0.45. */
  iouThres?: number;
  /** Maximum detections kept per image. Default 300. */
  maxDet?: number;
  /** Maximum candidates passed into NMS (top by score). Default 30,000. */
  maxNms?: number;
  /** One detection per (box, class) whose score passes (true, the seed's predict) or only the best class. Default true. */
  multiLabel?: boolean;
  /** Class-agnostic NMS (no class offset). Default false. */
  agnostic?: boolean;
  /** Keep only these class indices. */
  classes?: readonly number[];
}

/**
 * Detections of one image as parallel arrays: `boxes` xyxy (4·count, same coordinate space as the input),
 * `scores` obj·cls, `classes` class index. Sorted by descending score.
 */
export interface Detections {
  count: number;
  boxes: Float32Array;
  scores: Float32Array;
  classes: Int32Array;
}

/** An empty {@link Detections}. */
export function emptyDetections(): Detections {
  return { count: 0, boxes: new Float32Array(0), scores: new Float32Array(0), classes: new Int32Array(0) };
}

/** Growable column of float32/int32 values (avoids per-candidate objects). */
class Column<T extends Float32Array | Int32Array> {
  data: T;
  length = 0;
  constructor(private readonly ctor: { new (n: number): T }, capacity: number) {
    this.data = new ctor(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new this.ctor(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * YOLOv5 `non_max_suppression` (ultralytics/yolov5 @10d56d784) for one image, on plain typed arrays.
 *
 * @param pred candidates `[N, 5 + nc]` row-major float32: cx, cy, w, h (pixels), obj, cls_0…cls_{nc−1}
 *   (probabilities, i.e. after sigmoid) — the decoded output of Detect in eval mode.
 * @returns detections sorted by score, at most `maxDet`. Scores are float32 obj·cls as in the original.
 *
 * Steps as the original: obj > conf; score = obj·cls (float32); multi-label keeps every (box, class) with
 * score > conf in row-major order; more than `maxNms` → the top `maxNms` by score; boxes offset by class·4096;
 * greedy IoU suppression (torchvision `nms`, float32 arithmetic, ties broken by candidate order); first `maxDet`.
 * Unlike the seed there is no time limit.
 */
export function nonMaxSuppression(pred: Float32Array, options: NmsOptions): Detections {
  const nc = options.numClasses;
  const confThres = options.confThres ?? 0.25;
  const iouThres = options.iouThres ?? 0.45;
  const maxDet = options.maxDet ?? 300;
  const maxNms = options.maxNms ?? 30_000;
  const multiLabel = (options.multiLabel ?? true) && nc > 1; // the original: multi_label &= nc > 1
  if (!Number.isInteger(nc) || nc < 1) throw new RangeError(`numClasses must be a positive integer, got ${nc}`);
  checkRange('confidence threshold (conf_thres)', confThres, 0, 1);
  checkRange('IoU threshold (iou_thres)', iouThres, 0, 1);
  checkRange('max_det', maxDet, 0, Number.MAX_SAFE_INTEGER);
  checkRange('max_nms', maxNms, 1, Number.MAX_SAFE_INTEGER);
  const no = 5 + nc;
  if (pred.length % no !== 0) {
    throw new RangeError(`prediction length ${pred.length} is not a multiple of 5 + nc = ${no}`);
  }
  const n = pred.length / no;
  const conf = f32(confThres);
  const classAllowed = new Uint8Array(nc).fill(options.classes ? 0 : 1);
  for (const c of options.classes ?? []) if (c >= 0 && c < nc) classAllowed[c] = 1;

  // 1. candidates: (row, class, score) in row-major order, like torch's nonzero().
  const rows = new Column(Int32Array, 1024);
  const cls = new Column(Int32Array, 1024);
  const scores = new Column(Float32Array, 1024);
  for (let r = 0; r < n; r++) {
    const base = r * no;
    const obj = pred[base + 4]!;
    if (!(obj > conf)) continue;
    if (multiLabel) {
      for (let c = 0; c < nc; c++) {
        const s = f32(pred[base + 5 + c]! * obj);
        if (s > conf && classAllowed[c]) {
          rows.push(r);
          cls.push(c);
          scores.push(s);
        }
      }
    } else {
      let best = -Infinity;
      let bestC = 0;
      for (let c = 0; c < nc; c++) {
        const s = f32(pred[base + 5 + c]! * obj);
        if (s > best) {
          best = s;
          bestC = c;
        }
      }
      if (best > conf && classAllowed[bestC]) {
        rows.push(r);
        cls.push(bestC);
        scores.push(best);
      }
    }
  }
  let count = rows.length;
  if (count === 0 || maxDet === 0) return emptyDetections();

  // 2. cap at maxNms: the top-scored candidates (stable among equal scores).
  let sel: Int32Array;
  if (count > maxNms) {
    sel = topKIndices(scores.data, count, maxNms);
    count = sel.length;
  } else {
    sel = new Int32Array(count);
    for (let i = 0; i < count; i++) sel[i] = i;
  }

  // 3. boxes (xyxy, float32 as the original) and class-offset boxes for NMS.
  const boxes = new Float32Array(count * 4);
  const offsetBoxes = new Float32Array(count * 4);
  const selScores = new Float32Array(count);
  const selClasses = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const i = sel[k]!;
    const base = rows.data[i]! * no;
    const cx = pred[base]!, cy = pred[base + 1]!, hw = f32(pred[base + 2]! / 2), hh = f32(pred[base + 3]! / 2);
    const c = cls.data[i]!;
    const off = options.agnostic ? 0 : c * NMS_CLASS_OFFSET;
    const x1 = f32(cx - hw), y1 = f32(cy - hh), x2 = f32(cx + hw), y2 = f32(cy + hh);
    boxes[4 * k] = x1;
    boxes[4 * k + 1] = y1;
    boxes[4 * k + 2] = x2;
    boxes[4 * k + 3] = y2;
    offsetBoxes[4 * k] = x1 + off;
    offsetBoxes[4 * k + 1] = y1 + off;
    offsetBoxes[4 * k + 2] = x2 + off;
    offsetBoxes[4 * k + 3] = y2 + off;
    selScores[k] = scores.data[i]!;
    selClasses[k] = c;
  }

  // 4. greedy NMS, stopping once maxDet boxes are kept (same result as truncating the full keep list).
  const keep = nmsIndices(offsetBoxes, selScores, iouThres, maxDet);
  const out: Detections = {
    count: keep.length,
    boxes: new Float32Array(keep.length * 4),
    scores: new Float32Array(keep.length),
    classes: new Int32Array(keep.length),
  };
  for (let k = 0; k < keep.length; k++) {
    const i = keep[k]!;
    out.boxes.set(boxes.subarray(4 * i, 4 * i + 4), 4 * k);
    out.scores[k] = selScores[i]!;
    out.classes[k] = selClasses[i]!;
  }
  return out;
}

/**
 * Indices of `scores` sorted by descending score; ties keep ascending index order (a stable sort).
 * @param count number of leading entries of `scores` to sort.
 */
export function argsortDescending(scores: Float32Array | Float64Array, count = scores.length): Int32Array {
  const idx = new Int32Array(count);
  for (let i = 0; i < count; i++) idx[i] = i;
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx;
}

/**
 * The indices of the `k` highest of the first `count` scores, in descending score order (ties by index).
 * Linear-time pre-selection by a histogram over the float bits, then a sort of the survivors only.
 * Scores must be non-negative (obj·cls).
 */
export function topKIndices(scores: Float32Array, count: number, k: number): Int32Array {
  if (k >= count) return argsortDescending(scores, count);
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, count);
  // For non-negative floats the bit pattern orders like the value; bucket by the top 16 bits.
  const hist = new Uint32Array(65536);
  for (let i = 0; i < count; i++) hist[bits[i]! >>> 16]!++;
  let bucket = 65535;
  let above = 0;
  for (; bucket > 0; bucket--) {
    above += hist[bucket]!;
    if (above >= k) break;
  }
  const cand = new Int32Array(bucket === 0 ? count : above);
  let m = 0;
  for (let i = 0; i < count; i++) if (bits[i]! >>> 16 >= bucket) cand[m++] = i;
  const sub = cand.subarray(0, m);
  sub.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return sub.slice(0, k);
}

/**
 * Greedy IoU suppression (torchvision `ops.nms`): boxes xyxy `[N,4]` float32, scores `[N]`.
 * Returns the kept indices in descending score order; ties are visited in index order. Float32 arithmetic as the
 * reference; IoU > `iouThres` suppresses. Stops after `maxKeep` boxes are kept.
 */
export function nmsIndices(boxes: Float32Array, scores: Float32Array, iouThres: number, maxKeep = Infinity): Int32Array {
  const n = scores.length;
  if (boxes.length !== 4 * n) throw new RangeError(`boxes length ${boxes.length} must be 4 × scores length ${n}`);
  const order = argsortDescending(scores, n);
  const areas = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    areas[i] = f32(f32(boxes[4 * i + 2]! - boxes[4 * i]!) * f32(boxes[4 * i + 3]! - boxes[4 * i + 1]!));
  }
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (let oi = 0; oi < n && keep.length < maxKeep; oi++) {
    const i = order[oi]!;
    if (suppressed[i]) continue;
    keep.push(i);
    const ix1 = boxes[4 * i]!, iy1 = boxes[4 * i + 1]!, ix2 = boxes[4 * i + 2]!, iy2 = boxes[4 * i + 3]!;
    const iarea = areas[i]!;
    for (let oj = oi + 1; oj < n; oj++) {
      const j = order[oj]!;
      if (suppressed[j]) continue;
      const w = f32(Math.min(ix2, boxes[4 * j + 2]!) - Math.max(ix1, boxes[4 * j]!));
      if (w <= 0) continue;
      const h = f32(Math.min(iy2, boxes[4 * j + 3]!) - Math.max(iy1, boxes[4 * j + 1]!));
      if (h <= 0) continue;
      const inter = f32(w * h);
      const ovr = f32(inter / f32(f32(iarea + areas[j]!) - inter));
      if (ovr > iouThres) suppressed[j] = 1;
    }
  }
  return Int32Array.from(keep);
}
