/** Names of the custom kernels, the gradient of the fused BN+SiLU one, and which channel counts it takes. */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';

/** Custom kernel: BatchNorm with batch statistics + SiLU. Inputs x [B,H,W,C], gamma [C], beta [C]; attrs eps; outputs y, mean, variance. */
export const BN_SILU = 'VigilBnSilu';
/** Its gradient kernel. Inputs x, gamma, beta, mean, variance, dy; attrs eps; outputs dx, dgamma, dbeta. */
export const BN_SILU_GRAD = 'VigilBnSiluGrad';
/** Custom inference kernel: silu(conv2d(x, filter) + bias). Attrs as FusedConv2D (strides, pad, dilations). No gradient. */
export const CONV_BIAS_SILU = 'VigilConvBiasSilu';

/**
 * Custom kernel: one SGD-with-momentum update (torch.optim.SGD after its first step). Inputs param, grad, buf (same
 * shape, float32); attrs lr, weightDecay, momentum, nesterov; outputs the new param and the new momentum buffer.
 */
export const SGD_STEP = 'VigilSgdStep';

const gradConfig: GradConfig = {
  kernelName: BN_SILU,
  inputsToSave: ['x', 'gamma', 'beta'],
  outputsToSave: [false, true, true],
  // Only y is differentiated: mean / variance are for running-statistics updates outside the loss.
  gradFunc: (dys, saved, attrs) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
    const [x, gamma, beta, mean, variance] = saved;
    const [dx, dgamma, dbeta] = tf.engine().runKernel(BN_SILU_GRAD, { x: x!, gamma: gamma!, beta: beta!, mean: mean!, variance: variance!, dy }, attrs as NamedAttrMap) as tf.Tensor[];
    return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
  },
};

let registered = false;
/** Registers the gradient of {@link BN_SILU} (idempotent; backend-independent). */
export function registerBnSiluGradient(): void {
  if (registered) return;
  tf.registerGradient(gradConfig);
  registered = true;
}

let channelMultiple = 1;
/** The registered BN_SILU kernel handles channel counts that are multiples of this (native: 1, wasm SIMD: 4). */
export function setBnSiluChannelMultiple(m: number): void {
  channelMultiple = m;
}
export function bnSiluChannelMultiple(): number {
  return channelMultiple;
}
