import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { SGD_STEP } from './custom-kernels.js';

/** Arguments of one fused SGD update (the shape of @vigil/trainer's `SgdKernelArgs`). */
export interface SgdStepArgs {
  param: tf.Tensor;
  grad: tf.Tensor;
  /** The momentum buffer (after the first step: torch.optim.SGD sets buf = d on its first step). */
  buf: tf.Tensor;
  lr: number;
  weightDecay: number;
  momentum: number;
  nesterov: boolean;
}

/**
 * One SGD-with-momentum update as a single kernel instead of ~9 tfjs ops (and 4 scalar uploads) a parameter:
 * d = g + wd·p; buf' = momentum·buf + d; d = nesterov ? d + momentum·buf' : buf'; p' = p − lr·d, each operation
 * rounded to float32 in that order (the same values as the ops). Returns the new param and buffer (caller assigns /
 * disposes them), or `undefined` when no {@link SGD_STEP} kernel is registered for the active backend, so the caller
 * uses its ops. Register with @vigil/trainer's extension point: `registerSgdKernel(k.backend, k.step)` for
 * `const k = sgdStepKernel()`.
 */
export function sgdStepKernel(): { backend: 'wasm'; step: (a: SgdStepArgs) => { param: tf.Tensor; buf: tf.Tensor } | undefined } {
  return {
    backend: 'wasm',
    step: (a) => {
      const b = tf.getBackend();
      if (!b || !tf.getKernel(SGD_STEP, b) || a.param.dtype !== 'float32') return undefined;
      const [param, buf] = tf.engine().runKernel(SGD_STEP, { param: a.param, grad: a.grad, buf: a.buf }, {
        lr: a.lr, weightDecay: a.weightDecay, momentum: a.momentum, nesterov: a.nesterov,
      } as unknown as NamedAttrMap) as tf.Tensor[];
      return { param: param!, buf: buf! };
    },
  };
}
