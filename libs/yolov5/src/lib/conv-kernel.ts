import type * as tf from '@tensorflow/tfjs-core';

/**
 * Extension point for an accelerated Conv+BN+SiLU kernel (the CPU-acceleration library registers one per backend).
 *
 * A kernel computes, for NHWC input `x` and HWIO `filter`:
 *   `silu(conv2d(x, filter, stride, symmetric zero pad) * scale + bias)`   (scale per output channel, 1 when absent)
 * i.e. a YOLOv5 `Conv` in inference: with BatchNorm folded as scale = γ/√(var+eps), bias = β − μ·scale, or a fused
 * model's conv bias with no scale. The model calls it only in eval mode (no gradients needed) and only when one is
 * registered for the active backend (`tf.getBackend()`); otherwise it uses plain tfjs ops. The returned tensor is owned
 * by the caller (the model calls it inside `tf.tidy`).
 */
export interface ConvBnSiluArgs {
  /** `[B, H, W, Cin]` float32. */
  x: tf.Tensor4D;
  /** `[k, k, Cin, Cout]` float32. */
  filter: tf.Tensor4D;
  /** `[Cout]` multiplier after the convolution (absent = 1). */
  scale?: tf.Tensor1D;
  /** `[Cout]` added after the scale. */
  bias: tf.Tensor1D;
  stride: number;
  /** Zero padding on each side (PyTorch's symmetric `padding`). */
  pad: number;
}

export type ConvBnSiluKernel = (args: ConvBnSiluArgs) => tf.Tensor4D;

const kernels = new Map<string, ConvBnSiluKernel>();

/** Registers (or with `undefined`, removes) the fused Conv+BN+SiLU kernel used on tfjs backend `backendName`. */
export function registerConvBnSiluKernel(backendName: string, kernel: ConvBnSiluKernel | undefined): void {
  if (kernel) kernels.set(backendName, kernel);
  else kernels.delete(backendName);
}

/** The kernel registered for `backendName`, if any. */
export function getConvBnSiluKernel(backendName: string): ConvBnSiluKernel | undefined {
  return kernels.get(backendName);
}

/**
 * Training form of the extension point: Conv + BatchNorm with batch statistics + SiLU in one differentiable op,
 * `silu((conv2d(x, filter) − mean) / √(variance + eps) · gamma + beta)`, with mean/variance over `[B, H, W]`.
 * Gradients must flow to x, filter, gamma and beta. Returns the batch `mean` and **biased** `variance` (`[Cout]`) and
 * the number of values per channel (`count`) so the model can update its running statistics as PyTorch does; or
 * `undefined` when the kernel does not handle this case (e.g. a channel count it does not support) — the model then
 * uses plain tfjs ops. Returned tensors are owned by the caller (the model calls it inside `tf.tidy`).
 */
export interface ConvBnSiluTrainArgs {
  /** `[B, H, W, Cin]` float32. */
  x: tf.Tensor4D;
  /** `[k, k, Cin, Cout]` float32. */
  filter: tf.Tensor4D;
  /** BatchNorm weight γ `[Cout]`. */
  gamma: tf.Tensor1D;
  /** BatchNorm bias β `[Cout]`. */
  beta: tf.Tensor1D;
  stride: number;
  /** Zero padding on each side. */
  pad: number;
  eps: number;
}

export interface ConvBnSiluTrainResult {
  y: tf.Tensor4D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  count: number;
}

export type ConvBnSiluTrainKernel = (args: ConvBnSiluTrainArgs) => ConvBnSiluTrainResult | undefined;

const trainKernels = new Map<string, ConvBnSiluTrainKernel>();

/** Registers (or with `undefined`, removes) the training Conv+BN+SiLU kernel used on tfjs backend `backendName`. */
export function registerConvBnSiluTrainKernel(backendName: string, kernel: ConvBnSiluTrainKernel | undefined): void {
  if (kernel) trainKernels.set(backendName, kernel);
  else trainKernels.delete(backendName);
}

/** The training kernel registered for `backendName`, if any. */
export function getConvBnSiluTrainKernel(backendName: string): ConvBnSiluTrainKernel | undefined {
  return trainKernels.get(backendName);
}
