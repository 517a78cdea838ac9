import * as tf from '@tensorflow/tfjs-core';

const K_V = 4 / Math.PI ** 2;

/**
 * Complete IoU (CIoU, https://arxiv.org/abs/1911.08287) of paired boxes, as the original's
 * `bbox_iou(box1, box2, x1y1x2y2=False, CIoU=True, eps=1e-7)` (utils/general.py): eps on the heights and the union,
 * the trade-off term alpha held constant in the backward pass (`torch.no_grad()`), and PyTorch's gradients of
 * `torch.min` / `torch.max` (split in half on ties) and `clamp(0)` (passed at exactly 0).
 *
 * One op for the whole computation: the boxes are read back (they are the matched targets of one level, a few
 * hundred rows), the values and their derivatives w.r.t. both boxes are computed on the host in float64 in one pass,
 * and the backward pass is a single multiply. Written out with tensor ops the same formula took ~350 kernel calls a
 * level per training step (forward, saved copies, backward), a third of all the calls of a yolov5n6 step.
 *
 * @param box1 `[n, 4]` float32 cx, cy, w, h (any consistent unit, e.g. grid cells)
 * @param box2 `[n, 4]` float32 cx, cy, w, h, same unit
 * @returns `[n]` float32 CIoU per pair (≤ 1; can be negative), differentiable w.r.t. both boxes. Caller disposes.
 */
export function bboxCiou(box1: tf.Tensor2D, box2: tf.Tensor2D, eps = 1e-7): tf.Tensor1D {
  const n = box1.shape[0];
  if (box1.rank !== 2 || box1.shape[1] !== 4 || box2.rank !== 2 || box2.shape[1] !== 4 || box2.shape[0] !== n) {
    throw new RangeError(`bboxCiou: boxes must both be [n, 4], got [${box1.shape.join(', ')}] and [${box2.shape.join(', ')}]`);
  }
  const f = tf.customGrad((...args: unknown[]) => {
    const [a, b] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[2] as tf.GradSaveFunc;
    const r = ciouRows(a.dataSync(), b.dataSync(), n, eps);
    const d1 = tf.tensor2d(r.d1, [n, 4]);
    const d2 = tf.tensor2d(r.d2, [n, 4]);
    save([d1, d2]);
    return {
      value: tf.tensor1d(r.value),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = tf.reshape(dy, [n, 1]);
        return [tf.mul(g, saved[0]!), tf.mul(g, saved[1]!)];
      },
    };
  });
  return f(box1, box2) as tf.Tensor1D;
}

/** Adds `g` to the gradients of `min(p, q)` (`isMin`) or `max(p, q)` as PyTorch does: all to the chosen one, half each on a tie. */
function minMaxGrad(p: number, q: number, g: number, isMin: boolean): [number, number] {
  if (p === q) return [g / 2, g / 2];
  return (p < q) === isMin ? [g, 0] : [0, g];
}

/**
 * CIoU of each row pair and d CIoU / d box (cx, cy, w, h) for both boxes, row-major `[n]` and `[n, 4]`. The derivative
 * follows the original expression graph in reverse (see {@link bboxCiou}); corners rounded to float32 as in the original, float64 from there, results rounded once.
 */
function ciouRows(box1: ArrayLike<number>, box2: ArrayLike<number>, n: number, eps = 1e-7): { value: Float32Array; d1: Float32Array; d2: Float32Array } {
  const value = new Float32Array(n);
  const d1 = new Float32Array(n * 4);
  const d2 = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const x1 = box1[o]!, y1 = box1[o + 1]!, w1 = box1[o + 2]!, h1 = box1[o + 3]!;
    const x2 = box2[o]!, y2 = box2[o + 1]!, w2 = box2[o + 2]!, h2 = box2[o + 3]!;
    // xywh -> corners, rounded to float32 as the original's tensors are: the min / max ties fall where PyTorch's do
    const f = Math.fround;
    const ax1 = f(x1 - w1 / 2), ax2 = f(x1 + w1 / 2), ay1 = f(y1 - h1 / 2), ay2 = f(y1 + h1 / 2);
    const bx1 = f(x2 - w2 / 2), bx2 = f(x2 + w2 / 2), by1 = f(y2 - h2 / 2), by2 = f(y2 + h2 / 2);
    // intersection
    const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
    const ih = Math.min(ay2, by2) - Math.max(ay1, by1);
    const iwc = iw > 0 ? iw : 0, ihc = ih > 0 ? ih : 0;
    const inter = iwc * ihc;
    // union
    const W1 = ax2 - ax1, H1 = ay2 - ay1 + eps, W2 = bx2 - bx1, H2 = by2 - by1 + eps;
    const union = W1 * H1 + W2 * H2 - inter + eps;
    const iou = inter / union;
    // enclosing box, centre distance, aspect-ratio term
    const cw = Math.max(ax2, bx2) - Math.min(ax1, bx1);
    const ch = Math.max(ay2, by2) - Math.min(ay1, by1);
    const c2 = cw * cw + ch * ch + eps;
    const dx = bx1 + bx2 - ax1 - ax2, dy = by1 + by2 - ay1 - ay2;
    const rho2 = (dx * dx + dy * dy) / 4;
    const r1 = W1 / H1, r2 = W2 / H2;
    const dv = Math.atan(r2) - Math.atan(r1);
    const v = K_V * dv * dv;
    const alpha = v / (v - iou + (1 + eps));
    value[i] = iou - (rho2 / c2 + v * alpha);

    // reverse pass, d value = 1 (alpha constant)
    const gRho2 = -1 / c2, gC2 = rho2 / (c2 * c2), gV = -alpha;
    const gUnion = -inter / (union * union);
    const gInter = 1 / union - gUnion;
    let gW1 = gUnion * H1, gH1 = gUnion * W1, gW2 = gUnion * H2, gH2 = gUnion * W2;
    const gDv = gV * K_V * 2 * dv;
    const gR1 = -gDv / (1 + r1 * r1), gR2 = gDv / (1 + r2 * r2);
    gW1 += gR1 / H1; gH1 -= (gR1 * W1) / (H1 * H1);
    gW2 += gR2 / H2; gH2 -= (gR2 * W2) / (H2 * H2);
    // corner gradients: widths / heights, centre distance
    const gDx = (gRho2 * dx) / 2, gDy = (gRho2 * dy) / 2;
    let gax1 = -gW1 - gDx, gax2 = gW1 - gDx, gay1 = -gH1 - gDy, gay2 = gH1 - gDy;
    let gbx1 = -gW2 + gDx, gbx2 = gW2 + gDx, gby1 = -gH2 + gDy, gby2 = gH2 + gDy;
    // intersection (clamp passes the gradient at exactly 0, as PyTorch's clamp)
    const gIw = iw >= 0 ? gInter * ihc : 0, gIh = ih >= 0 ? gInter * iwc : 0;
    let p = minMaxGrad(ax2, bx2, gIw, true); gax2 += p[0]; gbx2 += p[1];
    p = minMaxGrad(ax1, bx1, -gIw, false); gax1 += p[0]; gbx1 += p[1];
    p = minMaxGrad(ay2, by2, gIh, true); gay2 += p[0]; gby2 += p[1];
    p = minMaxGrad(ay1, by1, -gIh, false); gay1 += p[0]; gby1 += p[1];
    // enclosing box
    const gCw = gC2 * 2 * cw, gCh = gC2 * 2 * ch;
    p = minMaxGrad(ax2, bx2, gCw, false); gax2 += p[0]; gbx2 += p[1];
    p = minMaxGrad(ax1, bx1, -gCw, true); gax1 += p[0]; gbx1 += p[1];
    p = minMaxGrad(ay2, by2, gCh, false); gay2 += p[0]; gby2 += p[1];
    p = minMaxGrad(ay1, by1, -gCh, true); gay1 += p[0]; gby1 += p[1];
    // corners -> xywh
    d1[o] = gax1 + gax2; d1[o + 1] = gay1 + gay2; d1[o + 2] = (gax2 - gax1) / 2; d1[o + 3] = (gay2 - gay1) / 2;
    d2[o] = gbx1 + gbx2; d2[o + 1] = gby1 + gby2; d2[o + 2] = (gbx2 - gbx1) / 2; d2[o + 3] = (gby2 - gby1) / 2;
  }
  return { value, d1, d2 };
}
