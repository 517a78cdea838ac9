import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient.js';

/**
 * Complete IoU (CIoU, https://arxiv.org/abs/1911.08287) of paired boxes, as the original's
 * `bbox_iou(box1, box2, x1y1x2y2=False, CIoU=True, eps=1e-7)` (utils/general.py): same operation order, eps on the
 * heights and the union, and the trade-off term alpha held constant in the backward pass (`torch.no_grad()`).
 *
 * @param box1 `[n, 4]` float32 cx, cy, w, h (any consistent unit, e.g. grid cells)
 * @param box2 `[n, 4]` float32 cx, cy, w, h, same unit
 * @returns `[n]` float32 CIoU per pair (≤ 1; can be negative). Caller disposes.
 */
export function bboxCiou(box1: tf.Tensor2D, box2: tf.Tensor2D, eps = 1e-7): tf.Tensor1D {
  return tf.tidy(() => {
    const { add, sub, mul, div, maximum: max, minimum: min, square, atan, scalar } = tf;
    const [x1, y1, w1in, h1in] = tf.unstack(box1, 1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const [x2, y2, w2in, h2in] = tf.unstack(box2, 1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const half = scalar(0.5);
    // xywh -> xyxy: x − w/2 (the division by 2 is exact as a multiplication by 0.5)
    const b1x1 = sub(x1, mul(w1in, half));
    const b1x2 = add(x1, mul(w1in, half));
    const b1y1 = sub(y1, mul(h1in, half));
    const b1y2 = add(y1, mul(h1in, half));
    const b2x1 = sub(x2, mul(w2in, half));
    const b2x2 = add(x2, mul(w2in, half));
    const b2y1 = sub(y2, mul(h2in, half));
    const b2y2 = add(y2, mul(h2in, half));

    const zero = scalar(0);
    const inter = mul(max(sub(min(b1x2, b2x2), max(b1x1, b2x1)), zero), max(sub(min(b1y2, b2y2), max(b1y1, b2y1)), zero));

    const e = scalar(eps);
    const w1 = sub(b1x2, b1x1);
    const h1 = add(sub(b1y2, b1y1), e);
    const w2 = sub(b2x2, b2x1);
    const h2 = add(sub(b2y2, b2y1), e);
    const union = add(sub(add(mul(w1, h1), mul(w2, h2)), inter), e);
    const iou = div(inter, union);

    const cw = sub(max(b1x2, b2x2), min(b1x1, b2x1));
    const ch = sub(max(b1y2, b2y2), min(b1y1, b2y1));
    const c2 = add(add(square(cw), square(ch)), e);
    const dx = sub(sub(add(b2x1, b2x2), b1x1), b1x2);
    const dy = sub(sub(add(b2y1, b2y2), b1y1), b1y2);
    const rho2 = div(add(square(dx), square(dy)), scalar(4));
    const v = mul(scalar(4 / Math.PI ** 2), square(sub(atan(div(w2, h2)), atan(div(w1, h1)))));
    const alpha = stopGradient(div(v, add(sub(v, iou), scalar(1 + eps))));
    return sub(iou, add(div(rho2, c2), mul(v, alpha))) as tf.Tensor1D;
  });
}
