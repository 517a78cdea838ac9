import * as tf from '@tensorflow/tfjs-core';
import { computeLoss, type ComputeLossOptions } from './compute-loss.js';

/** Result of {@link lossAndGrads}: gradients are owned by the caller (dispose them after the optimizer step). */
export interface LossAndGrads {
  /** d loss / d variable, keyed by variable name */
  grads: tf.NamedTensorMap;
  /** the loss value, (lbox + lobj + lcls)·B */
  loss: number;
  /** lbox, lobj, lcls, total (not multiplied by B), for logging */
  items: Float32Array;
}

/**
 * Forward + loss + backward in one call: `tf.variableGrads` over `forward()` (which must return the train-mode
 * prediction maps, see {@link computeLoss}) w.r.t. `varList` (default: all trainable variables). Every intermediate
 * tensor is freed; only the gradients are returned as tensors. The loss is read back (one sync), so callers can stop
 * on a non-finite loss before stepping the optimizer.
 */
export function lossAndGrads(forward: () => tf.Tensor[], targets: tf.Tensor | Float32Array, opts: ComputeLossOptions, varList?: tf.Variable[]): LossAndGrads {
  let kept: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const r = computeLoss(forward(), targets, opts);
    kept = tf.keep(r.items);
    return r.loss;
  }, varList);
  const loss = value.dataSync()[0]!;
  value.dispose();
  const items = Float32Array.from(kept!.dataSync());
  kept!.dispose();
  return { grads, loss, items };
}
