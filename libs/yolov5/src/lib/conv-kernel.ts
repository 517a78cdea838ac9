import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorMap } from '@tensorflow/tfjs-core';
import { BN_SILU, CONV_BN_SILU, bnSiluTakes, type BnSiluAttrs, type BnSiluInputs, type ConvBnSiluAttrs, type ConvBnSiluInputs } from '@vigil/core';

/**
 * The Conv block's fused kernels, taken from tfjs' kernel registry (names and interfaces in @vigil/core's
 * kernel-names): a backend that registers them (@vigil/cpu-accel on `wasm`, once activated — e.g. by
 * `initBackend()` of @vigil/runtime) gets them; elsewhere the model uses its plain tfjs ops.
 */

function activeKernel(name: string): tf.KernelConfig | undefined {
  const b = tf.getBackend();
  return b === undefined ? undefined : tf.getKernel(name, b);
}

/** Arguments of {@link convBnSiluEval}: the inputs and attrs of @vigil/core's `CONV_BN_SILU` kernel. */
export type ConvBnSiluEvalArgs = ConvBnSiluInputs<tf.Tensor4D, tf.Tensor1D> & ConvBnSiluAttrs;

/** True when the active backend has a `CONV_BN_SILU` kernel (inference form of the Conv block). */
export function hasConvBnSiluKernel(): boolean {
  return activeKernel(CONV_BN_SILU) !== undefined;
}

/**
 * `silu(conv2d(x, filter) · scale + bias)` through the registered `CONV_BN_SILU` kernel (call only when
 * {@link hasConvBnSiluKernel}). Eval mode only (no gradient). The caller owns the result.
 */
export function convBnSiluEval(a: ConvBnSiluEvalArgs): tf.Tensor4D {
  // No `scale` key when absent: the engine treats every input key as a tensor.
  const inputs: NamedTensorMap = a.scale ? { x: a.x, filter: a.filter, scale: a.scale, bias: a.bias } : { x: a.x, filter: a.filter, bias: a.bias };
  const attrs: ConvBnSiluAttrs = { stride: a.stride, pad: a.pad };
  return tf.engine().runKernel(CONV_BN_SILU, inputs, attrs as unknown as NamedAttrMap) as tf.Tensor4D;
}

/** True when the active backend has a `BN_SILU` kernel that takes `channels` channels (training form). */
export function hasBnSiluKernel(channels: number): boolean {
  return bnSiluTakes(activeKernel(BN_SILU), channels);
}

/**
 * BatchNorm with batch statistics + SiLU of a convolution output `c` `[B, H, W, C]` through the registered `BN_SILU`
 * kernel (call only when {@link hasBnSiluKernel}); differentiable w.r.t. c, gamma and beta (its gradient is
 * registered with the kernel). Returns y, the batch mean and the biased variance `[C]`, owned by the caller.
 */
export function bnSiluTrain(c: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  const attrs: BnSiluAttrs = { eps };
  return tf.engine().runKernel(BN_SILU, { x: c, gamma, beta } satisfies BnSiluInputs<tf.Tensor4D, tf.Tensor1D>, attrs as unknown as NamedAttrMap) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
}
