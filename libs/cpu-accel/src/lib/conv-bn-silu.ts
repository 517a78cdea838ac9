import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { BN_SILU, CONV_BIAS_SILU, CONV_BN_SILU, bnSiluTakes, type ConvBiasSiluAttrs, type ConvBnSiluAttrs, type ConvBnSiluInputs } from '@vigil/core';
import { replaceKernel } from './kernel-registry.js';

/** YOLOv5 sets every BatchNorm2d's eps to 1e-3 (models/yolo.py initialize_weights). */
export const DEFAULT_BN_EPS = 1e-3;

/**
 * True when a fused BatchNorm+SiLU training kernel is registered for the active backend (native, or the wasm SIMD
 * module of the portable path) and handles `channels` output channels (the SIMD one needs a multiple of 4).
 */
export function isFusedConvBnSiluAvailable(channels?: number): boolean {
  const b = tf.getBackend();
  return b !== undefined && bnSiluTakes(tf.getKernel(BN_SILU, b), channels);
}

export interface ConvBnSiluOptions {
  /** Convolution stride (both axes). Default 1. */
  stride?: number;
  /** Symmetric zero padding in pixels (PyTorch `padding`, YOLOv5 autopad = k // 2). Default `floor(kernel / 2)`. */
  pad?: number;
  /** `true` (default): normalise with the batch statistics and return them. `false`: use the running statistics. */
  training?: boolean;
  /** BatchNorm epsilon. Default {@link DEFAULT_BN_EPS} (1e-3, YOLOv5). */
  eps?: number;
  /** [C2] float32, required when `training` is false. */
  runningMean?: tf.Tensor1D;
  /** [C2] float32 (unbiased, as PyTorch keeps it), required when `training` is false. */
  runningVar?: tf.Tensor1D;
}

export interface ConvBnSiluResult {
  /** [B, OH, OW, C2] float32: silu(batchnorm(conv2d(x, filter))). */
  y: tf.Tensor4D;
  /** Training only: [C2] batch mean of the convolution output (over B·OH·OW values); `null` in inference. */
  mean: tf.Tensor1D | null;
  /** Training only: [C2] biased batch variance (divide by `count`; PyTorch's running_var uses ·count/(count−1)). */
  variance: tf.Tensor1D | null;
  /** Number of values each channel's statistics were taken over (B·OH·OW). */
  count: number;
}

function explicitPad(p: number): tf.backend_util.ExplicitPadding {
  return [[0, 0], [p, p], [p, p], [0, 0]];
}

/**
 * YOLOv5's Conv block (models/common.py `Conv`: conv2d without bias → BatchNorm2d → SiLU) as one op.
 * Shapes: x [B,H,W,C1] float32 NHWC, filter [k,k,C1,C2] (HWIO), gamma / beta [C2].
 * Uses the fused native kernels when {@link isFusedConvBnSiluAvailable}, else plain tfjs ops (same maths, any backend);
 * both are differentiable in training mode (gradients w.r.t. x, filter, gamma, beta). The caller owns (disposes) the
 * returned tensors; inside `tf.tidy` / `variableGrads` they are tracked as usual.
 */
export function convBnSilu(x: tf.Tensor4D, filter: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, options: ConvBnSiluOptions = {}): ConvBnSiluResult {
  const stride = options.stride ?? 1;
  const pad = options.pad ?? Math.floor(filter.shape[0] / 2);
  const eps = options.eps ?? DEFAULT_BN_EPS;
  const training = options.training ?? true;
  const fused = isFusedConvBnSiluAvailable(filter.shape[3]);
  if (!training) {
    const { runningMean, runningVar } = options;
    if (!runningMean || !runningVar) throw new Error('@vigil/cpu-accel: convBnSilu with training=false needs runningMean and runningVar');
    const y = tf.tidy(() => {
      // Fold the BatchNorm into the convolution (YOLOv5 utils/torch_utils.py fuse_conv_and_bn).
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(runningVar, eps)));
      const bias = tf.sub(beta, tf.mul(runningMean, scale));
      return convBiasSilu(x, tf.mul(filter, scale) as tf.Tensor4D, bias as tf.Tensor1D, { stride, pad });
    });
    return { y, mean: null, variance: null, count: y.shape[0] * y.shape[1] * y.shape[2] };
  }
  const [y, mean, variance] = tf.tidy(() => {
    const c = tf.conv2d(x, filter, stride, explicitPad(pad));
    if (fused) return tf.engine().runKernel(BN_SILU, { x: c, gamma, beta }, { eps }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const m = tf.moments(c, [0, 1, 2]);
    const z = tf.add(tf.mul(tf.mul(tf.sub(c, m.mean), tf.rsqrt(tf.add(m.variance, eps))), gamma), beta);
    return [tf.mul(z, tf.sigmoid(z)), m.mean, m.variance] as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
  });
  return { y, mean, variance, count: y.shape[0] * y.shape[1] * y.shape[2] };
}

/**
 * silu(conv2d(x, filter) + bias): a fused (BatchNorm-folded) YOLOv5 Conv block for inference.
 * x [B,H,W,C1], filter [k,k,C1,C2], bias [C2] → [B,OH,OW,C2]. Native one-pass kernel when available (no gradient:
 * inference only), else tfjs ops (differentiable). Caller disposes the result.
 */
export function convBiasSilu(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: { stride?: number; pad?: number } = {}): tf.Tensor4D {
  const stride = options.stride ?? 1;
  const pad = explicitPad(options.pad ?? Math.floor(filter.shape[0] / 2));
  const b = tf.getBackend();
  if (b && tf.getKernel(CONV_BIAS_SILU, b)) {
    const attrs: ConvBiasSiluAttrs = { strides: [stride, stride], pad, dilations: [1, 1] };
    return tf.engine().runKernel(CONV_BIAS_SILU, { x, filter, bias }, attrs as unknown as NamedAttrMap) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const z = tf.fused.conv2d({ x, filter, bias, strides: stride, pad });
    return tf.mul(z, tf.sigmoid(z));
  });
}

/** Arguments of {@link convScaleBiasSilu}: the inputs and attrs of @vigil/core's `CONV_BN_SILU` kernel. */
export type ConvScaleBiasSiluArgs = ConvBnSiluInputs<tf.Tensor4D, tf.Tensor1D> & ConvBnSiluAttrs;

/**
 * silu(conv2d(x, filter)·scale + bias) for inference: the scale is folded into the filter, then {@link convBiasSilu}.
 * The implementation of the `CONV_BN_SILU` kernel on the accelerated path ({@link registerConvBnSiluKernel}).
 * Returns [B,OH,OW,C2]; the caller disposes it.
 */
export function convScaleBiasSilu(args: ConvScaleBiasSiluArgs): tf.Tensor4D {
  const { x, filter, scale, bias, stride, pad } = args;
  if (!scale) return convBiasSilu(x, filter, bias, { stride, pad });
  return tf.tidy(() => convBiasSilu(x, tf.mul(filter, scale) as tf.Tensor4D, bias, { stride, pad }));
}

/**
 * Registers {@link convScaleBiasSilu} as @vigil/core's `CONV_BN_SILU` kernel on `wasm`, which @vigil/yolov5's Conv
 * block runs in eval mode: the native one-pass kernel when the addon is loaded, else the folded-filter fused conv.
 * Composed of tfjs ops (eval only: the kernel has no gradient).
 */
export function registerConvBnSiluKernel(): void {
  replaceKernel(CONV_BN_SILU, 'wasm', ({ inputs, attrs }) =>
    convScaleBiasSilu({ ...(inputs as unknown as ConvBnSiluInputs<tf.Tensor4D, tf.Tensor1D>), ...(attrs as unknown as ConvBnSiluAttrs) }));
}
