import * as tf from '@tensorflow/tfjs-core';
import { bboxCiou } from './bbox-ciou.js';
import { buildTargets, type LevelTargets } from './build-targets.js';
import { gatherRows } from './gather-rows.js';
import type { Hyp } from './hyp.js';
import './register-gradients.js';
import { stopGradient } from './stop-gradient.js';

/** Loss gains as train.py scales them before training (box·=3/nl, cls·=nc/80·3/nl, obj·=(img/640)²·3/nl). */
export interface LossGains {
  box: number;
  obj: number;
  cls: number;
}

/**
 * The original train.py's in-place scaling of `hyp['box']`, `hyp['cls']`, `hyp['obj']` (same float64 operation order).
 * @param imgSize training image size in pixels (`--img`)
 */
export function scaleLossGains(hyp: Pick<Hyp, 'box' | 'obj' | 'cls'>, nl: number, nc: number, imgSize: number): LossGains {
  return {
    box: hyp.box * (3 / nl),
    cls: hyp.cls * (((nc / 80) * 3) / nl),
    obj: hyp.obj * (((imgSize / 640) ** 2 * 3) / nl),
  };
}

/** Per-level objectness balance of the original: [4, 1, 0.4] for 3 levels, [4, 1, 0.25, 0.06, 0.02] (P3–P7) else. */
export function objBalance(nl: number): number[] {
  return nl === 3 ? [4.0, 1.0, 0.4] : [4.0, 1.0, 0.25, 0.06, 0.02];
}

/** `smooth_BCE(eps)` of the original: positive and negative class targets with label smoothing. */
export function smoothBce(eps = 0.1): { cp: number; cn: number } {
  return { cp: 1.0 - 0.5 * eps, cn: 0.5 * eps };
}

export interface ComputeLossOptions {
  /** anchors in grid units (pixels / stride), `[nl][na][2]` */
  anchors: readonly (readonly (readonly number[])[])[];
  /** strides per level, e.g. [8, 16, 32, 64] (validated against the prediction shapes when imgSize allows) */
  strides: readonly number[];
  /** number of classes */
  nc: number;
  /**
   * Hyperparameters as in the hyp file (NOT yet scaled): the gains are scaled here as train.py does
   * ({@link scaleLossGains}); uses box, obj, cls, cls_pw, obj_pw, anchor_t, fl_gamma, label_smoothing.
   */
  hyp: Pick<Hyp, 'box' | 'obj' | 'cls' | 'cls_pw' | 'obj_pw' | 'anchor_t' | 'fl_gamma' | 'label_smoothing'>;
  /** training image size in pixels (`--img`), for the obj gain */
  imgSize: number;
  /** batch size; when given it must equal the predictions' B */
  batch?: number;
  /** IoU loss ratio: objectness target = (1−gr) + gr·IoU (train.py sets model.gr = 1.0) */
  gr?: number;
}

/** The result of {@link computeLoss}: both tensors are new and owned by the caller. */
export interface LossResult {
  /** `(lbox + lobj + lcls) · B`, float32 scalar, differentiable w.r.t. the predictions */
  loss: tf.Scalar;
  /** `[4]` float32 = lbox, lobj, lcls, lbox+lobj+lcls (not multiplied by B), without gradient (for logging) */
  items: tf.Tensor1D;
}

/**
 * The original's `ComputeLoss(model)(p, targets)` (utils/loss.py at 10d56d784, autobalance off).
 *
 * @param preds train-mode outputs, per level `[B, ny, nx, na, 5+nc]` float32 raw logits (our NHWC-derived layout;
 *   PyTorch's is `[B, na, ny, nx, no]`: the loss is layout-independent apart from where it gathers).
 * @param targets `[n, 6]` = image index, class, cx, cy, w, h (normalised 0–1), as a tensor or row-major Float32Array.
 *   Targets are matched on the CPU ({@link buildTargets}); only the matched prediction rows are gathered.
 * @returns loss and items; the caller disposes both (inside `tf.variableGrads`/`tf.grads` the loss is the returned
 *   value; keep `items` with `tf.keep` if it must outlive the gradient computation).
 */
export function computeLoss(preds: readonly tf.Tensor[], targets: tf.Tensor | Float32Array, opts: ComputeLossOptions): LossResult {
  const nl = preds.length;
  if (nl === 0) throw new RangeError('computeLoss: no prediction levels');
  if (opts.anchors.length !== nl) throw new RangeError(`computeLoss: ${opts.anchors.length} anchor levels but ${nl} prediction levels`);
  if (opts.strides.length !== nl) throw new RangeError(`computeLoss: ${opts.strides.length} strides but ${nl} prediction levels`);
  const nc = opts.nc;
  const no = nc + 5;
  const B = preds[0]!.shape[0]!;
  if (opts.batch !== undefined && opts.batch !== B) throw new RangeError(`computeLoss: batch ${opts.batch} but predictions have B=${B}`);
  const gridShapes: [number, number][] = [];
  preds.forEach((p, i) => {
    const na = opts.anchors[i]!.length;
    if (p.rank !== 5 || p.shape[0] !== B || p.shape[3] !== na || p.shape[4] !== no) {
      throw new RangeError(`computeLoss: level ${i} predictions must be [${B}, ny, nx, ${na}, ${no}], got [${p.shape.join(', ')}]`);
    }
    gridShapes.push([p.shape[1]!, p.shape[2]!]);
  });

  const tData = targets instanceof Float32Array ? targets : (targets.dataSync() as Float32Array);
  const tt = buildTargets(tData, { anchors: opts.anchors, gridShapes, anchorT: opts.hyp.anchor_t, batch: B, nc });

  const gains = scaleLossGains(opts.hyp, nl, nc, opts.imgSize);
  const balance = objBalance(nl);
  const { cp, cn } = smoothBce(opts.hyp.label_smoothing ?? 0);
  const gr = opts.gr ?? 1.0;
  const gamma = opts.hyp.fl_gamma;

  return tf.tidy(() => {
    const { add, sub, mul, scalar, sigmoid, slice, square } = tf;
    const clsLoss = bceWithLogits(opts.hyp.cls_pw, gamma);
    const objLoss = bceWithLogits(opts.hyp.obj_pw, gamma);
    const lbox: tf.Scalar[] = [];
    const lcls: tf.Scalar[] = [];
    const lobj: tf.Scalar[] = [];
    preds.forEach((pi, i) => {
      const lt = tt[i]!;
      const flat = tf.reshape(pi, [-1, no]) as tf.Tensor2D;
      const rows = flat.shape[0];
      let tobj: tf.Tensor1D;
      if (lt.n > 0) {
        const ps = gatherRows(flat, lt.flat);
        const two = scalar(2);
        const pxy = sub(mul(sigmoid(slice(ps, [0, 0], [-1, 2])), two), scalar(0.5));
        const pwh = mul(square(mul(sigmoid(slice(ps, [0, 2], [-1, 2])), two)), tf.tensor2d(lt.anch, [lt.n, 2]));
        const pbox = tf.concat([pxy, pwh], 1) as tf.Tensor2D;
        const iou = bboxCiou(pbox, tf.tensor2d(lt.tbox, [lt.n, 4]));
        lbox.push(tf.mean(sub(scalar(1), iou)));
        tobj = objectnessTarget(lt, iou, rows, gr);
        if (nc > 1) {
          const onehot = new Float32Array(lt.n * nc).fill(cn);
          for (let k = 0; k < lt.n; k++) onehot[k * nc + lt.cls[k]!] = cp;
          lcls.push(clsLoss(slice(ps, [0, 5], [-1, nc]), tf.tensor2d(onehot, [lt.n, nc])));
        }
      } else {
        tobj = tf.zeros([rows]);
      }
      const pobj = tf.reshape(slice(flat, [0, 4], [-1, 1]), [-1]);
      lobj.push(mul(objLoss(pobj, tobj), scalar(balance[i]!)));
    });
    const sum = (xs: tf.Scalar[]): tf.Scalar => (xs.length ? (tf.addN(xs) as tf.Scalar) : tf.scalar(0));
    const box = mul(sum(lbox), scalar(gains.box)) as tf.Scalar;
    const obj = mul(sum(lobj), scalar(gains.obj)) as tf.Scalar;
    const cls = mul(sum(lcls), scalar(gains.cls)) as tf.Scalar;
    const total = add(add(box, obj), cls) as tf.Scalar;
    const items = stopGradient(tf.stack([box, obj, cls, total]) as tf.Tensor1D);
    return { loss: mul(total, scalar(B)) as tf.Scalar, items };
  });
}

/**
 * Objectness targets of one level, flattened like the prediction map: (1−gr) + gr·clamp(iou, 0) at each matched
 * cell/anchor, 0 elsewhere. Where several matches fall on the same cell/anchor the last one wins, as PyTorch's
 * `tobj[b, a, gj, gi] = …` does on the CPU. Detached from `iou` (`iou.detach()`): built on the host from the n IoU
 * values (float32 arithmetic as the original's ops) and uploaded as a constant — a gather over every cell of the
 * level took 1.3–3 ms a step for the 38,400 cells of yolov5n6's P3 at 320 on the wasm backend.
 */
function objectnessTarget(lt: LevelTargets, iou: tf.Tensor1D, rows: number, gr: number): tf.Tensor1D {
  const f = Math.fround;
  const v = iou.dataSync();
  const base = f(1 - gr);
  const g = f(gr);
  const t = new Float32Array(rows);
  for (let k = 0; k < lt.n; k++) t[lt.flat[k]!] = base + f(g * Math.max(v[k]!, 0));
  return tf.tensor1d(t);
}

/**
 * `nn.BCEWithLogitsLoss(pos_weight=pw)` with mean reduction, wrapped in the original's `FocalLoss(gamma, alpha=0.25)`
 * when gamma > 0. PyTorch's stable form: (1−y)·x + (1+(pw−1)·y)·softplus(−x).
 */
function bceWithLogits(pw: number, gamma: number, alpha = 0.25): (x: tf.Tensor, y: tf.Tensor) => tf.Scalar {
  return (x, y) => {
    const { add, sub, mul, scalar } = tf;
    const one = scalar(1);
    const lw = add(mul(scalar(pw - 1), y), one);
    let loss = add(mul(sub(one, y), x), mul(lw, tf.softplus(tf.neg(x))));
    if (gamma > 0) {
      const p = tf.sigmoid(x);
      const pt = add(mul(y, p), mul(sub(one, y), sub(one, p)));
      const af = add(mul(y, scalar(alpha)), mul(sub(one, y), scalar(1 - alpha)));
      const mf = tf.pow(sub(one, pt), scalar(gamma));
      loss = mul(loss, mul(af, mf));
    }
    return tf.mean(loss) as tf.Scalar;
  };
}
