import type * as tf from '@tensorflow/tfjs-core';
import { convBnSilu, convScaleBiasSilu, isFusedConvBnSiluAvailable, type ConvScaleBiasSiluArgs } from './conv-bn-silu.js';

/** Arguments of the training kernel (the shape of @vigil/yolov5's `ConvBnSiluTrainArgs`). */
export interface YoloConvTrainArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  stride: number;
  pad: number;
  eps: number;
}

/** Result of the training kernel: output, batch mean and biased variance, values per channel. */
export interface YoloConvTrainResult {
  y: tf.Tensor4D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  count: number;
}

/**
 * The Conv+BN+SiLU kernels in the form @vigil/yolov5's extension points take (`registerConvBnSiluKernel` /
 * `registerConvBnSiluTrainKernel`), for the backend the accelerator activates (`wasm`). The training kernel declines
 * (returns `undefined`, so the model uses plain ops) when no fused BN+SiLU kernel handles the channel count.
 * Apps register them after the backend is chosen:
 * ```ts
 * const k = yoloConvKernels();
 * registerConvBnSiluKernel(k.backend, k.eval);
 * registerConvBnSiluTrainKernel(k.backend, k.train);
 * ```
 */
export function yoloConvKernels(): {
  backend: 'wasm';
  eval: (args: ConvScaleBiasSiluArgs) => tf.Tensor4D;
  train: (args: YoloConvTrainArgs) => YoloConvTrainResult | undefined;
} {
  return {
    backend: 'wasm',
    eval: convScaleBiasSilu,
    train: (a) => {
      if (!isFusedConvBnSiluAvailable(a.filter.shape[3])) return undefined;
      const r = convBnSilu(a.x, a.filter, a.gamma, a.beta, { stride: a.stride, pad: a.pad, eps: a.eps, training: true });
      return { y: r.y, mean: r.mean!, variance: r.variance!, count: r.count };
    },
  };
}
