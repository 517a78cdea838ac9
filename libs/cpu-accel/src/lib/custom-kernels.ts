/** The gradient of the fused BN+SiLU custom kernel (names and interfaces of Vigil's custom kernels: @vigil/core). */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { BN_SILU, BN_SILU_GRAD } from '@vigil/core';

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
