/**
 * Vigil's custom tfjs kernels: names, input names and attrs, in one place (as tfjs-core's kernel_names.ts does for
 * the stock ones). A backend registers an implementation with `tf.registerKernel({ kernelName, backendName, … })`
 * (@vigil/cpu-accel does so for `wasm` when it is activated); the callers (@vigil/yolov5's Conv block, @vigil/trainer's
 * SGD step) run it with `tf.engine().runKernel(name, inputs, attrs)` when `tf.getKernel(name, tf.getBackend())` is
 * defined and otherwise compute the same formula with plain tfjs ops. Core has no tfjs dependency, so the inputs'
 * interfaces take the caller's tensor types (`ConvBnSiluInputs<tf.Tensor4D, tf.Tensor1D>`). All tensors are float32,
 * NHWC, filters HWIO `[k, k, Cin, Cout]`.
 */

/**
 * Conv + BatchNorm (running statistics, folded) + SiLU for inference: `silu(conv2d(x, filter) · scale + bias)`,
 * with symmetric zero padding `pad` and `scale` per output channel (1 when the input is absent: a fused model's conv
 * bias). Inputs x `[B,H,W,Cin]`, filter, scale? `[Cout]`, bias `[Cout]`; attrs {@link ConvBnSiluAttrs}; output
 * `[B,OH,OW,Cout]`. No gradient (eval mode only).
 */
export const CONV_BN_SILU = 'VigilConvBnSilu';
export interface ConvBnSiluInputs<T4, T1> {
  /** `[B, H, W, Cin]`. */
  x: T4;
  /** `[k, k, Cin, Cout]`. */
  filter: T4;
  /** `[Cout]` multiplier after the convolution (absent = 1), γ/√(var+eps) of a folded BatchNorm. */
  scale?: T1;
  /** `[Cout]` added after the scale. */
  bias: T1;
}
export interface ConvBnSiluAttrs {
  stride: number;
  /** Zero padding on each side (PyTorch's symmetric `padding`). */
  pad: number;
}

/**
 * BatchNorm with batch statistics + SiLU (the training form of YOLOv5's Conv after its convolution):
 * `silu((x − mean) / √(variance + eps) · gamma + beta)`, mean and biased variance over `[B, H, W]`. Inputs x
 * `[B,H,W,C]`, gamma `[C]`, beta `[C]`; attrs {@link BnSiluAttrs}; outputs y `[B,H,W,C]`, mean `[C]`, variance `[C]`.
 * Its gradient (w.r.t. x, gamma, beta; y only) is the kernel {@link BN_SILU_GRAD}. An implementation that takes only
 * channel counts that are a multiple of some m registers its kernel config with {@link BnSiluKernelLimits}.
 */
export const BN_SILU = 'VigilBnSilu';
export interface BnSiluInputs<T4, T1> {
  /** `[B, H, W, C]`, e.g. a convolution's output. */
  x: T4;
  /** BatchNorm weight γ `[C]`. */
  gamma: T1;
  /** BatchNorm bias β `[C]`. */
  beta: T1;
}
export interface BnSiluAttrs {
  eps: number;
}
/** Extra field of a {@link BN_SILU} kernel config (read back with `tf.getKernel`): the channel counts it takes. */
export interface BnSiluKernelLimits {
  /** The kernel handles channel counts that are multiples of this (absent: every count). */
  channelMultiple?: number;
}
/**
 * True when `kernel` (a {@link BN_SILU} config from `tf.getKernel(BN_SILU, backend)`, undefined when none is
 * registered) takes `channels` channels (any count when `channels` is omitted).
 */
export function bnSiluTakes(kernel: object | undefined, channels?: number): boolean {
  return kernel !== undefined && (channels === undefined || channels % ((kernel as BnSiluKernelLimits).channelMultiple ?? 1) === 0);
}

/** Gradient of {@link BN_SILU}. Inputs x, gamma, beta, mean, variance, dy; attrs {@link BnSiluAttrs}; outputs dx, dgamma, dbeta. */
export const BN_SILU_GRAD = 'VigilBnSiluGrad';

/**
 * Conv + bias + SiLU for inference: `silu(conv2d(x, filter) + bias)`. Inputs x, filter, bias `[Cout]`; attrs as
 * tfjs' FusedConv2D ({@link ConvBiasSiluAttrs}); no gradient.
 */
export const CONV_BIAS_SILU = 'VigilConvBiasSilu';
export interface ConvBiasSiluAttrs {
  strides: [number, number];
  /** tfjs' explicit padding `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
  pad: [[number, number], [number, number], [number, number], [number, number]];
  dilations: [number, number];
}

/**
 * One SGD-with-momentum update of a parameter after its first step (torch.optim.SGD 1.8–1.13 single-tensor path):
 * d = g + weightDecay·p; buf' = momentum·buf + d; d = nesterov ? d + momentum·buf' : buf'; p' = p − lr·d, each
 * operation rounded to float32 in that order (the values of the op composition). Inputs param, grad, buf (same
 * shape); attrs {@link SgdStepAttrs}; outputs the new param and the new momentum buffer.
 */
export const SGD_STEP = 'VigilSgdStep';
export interface SgdStepInputs<T> {
  param: T;
  grad: T;
  /** The momentum buffer (torch.optim.SGD sets buf = d on a parameter's first step, without this kernel). */
  buf: T;
}
export interface SgdStepAttrs {
  lr: number;
  weightDecay: number;
  momentum: number;
  nesterov: boolean;
}
