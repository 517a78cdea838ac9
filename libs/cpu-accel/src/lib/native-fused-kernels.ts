import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BN_SILU, BN_SILU_GRAD, CONV_BIAS_SILU, type ConvBiasSiluAttrs } from '@vigil/core';
import { registerBnSiluGradient } from './custom-kernels.js';
import { convDims } from './native-kernels.js';
import { ACTIVATION_CODES, pinThreadsOnce, type NativeAddon } from './native-addon.js';
import { replaceKernel } from './kernel-registry.js';
import { allFloat32, heapF32 } from './wasm-heap.js';

const BACKEND = 'wasm';

/** Registers the native fused BN+SiLU (training) and Conv+bias+SiLU (inference) kernels on wasm (idempotent). */
export function registerFusedKernels(addon: NativeAddon): void {
  registerBnSiluGradient();
  const bnSilu: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
    const C = x!.shape[x!.shape.length - 1]!;
    checkChannels(C, gamma!, beta!);
    const be = backend as BackendWasm;
    const y = be.makeOutput(x!.shape, 'float32'), mean = be.makeOutput([C], 'float32'), variance = be.makeOutput([C], 'float32');
    addon.bnSiluFwd(heapF32(be, x!), heapF32(be, gamma!), heapF32(be, beta!), Number(attrs!['eps']), heapF32(be, y), heapF32(be, mean), heapF32(be, variance));
    return [y, mean, variance];
  };
  const bnSiluGrad: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, gamma, beta, mean, variance, dy } = inputs as Record<string, TensorInfo>;
    const C = gamma!.shape[0]!;
    const be = backend as BackendWasm;
    const dx = be.makeOutput(x!.shape, 'float32'), dgamma = be.makeOutput([C], 'float32'), dbeta = be.makeOutput([C], 'float32');
    addon.bnSiluBwd(
      heapF32(be, x!), heapF32(be, gamma!), heapF32(be, beta!), heapF32(be, mean!), heapF32(be, variance!), Number(attrs!['eps']),
      heapF32(be, dy!), heapF32(be, dx), heapF32(be, dgamma), heapF32(be, dbeta),
    );
    return [dx, dgamma, dbeta];
  };
  const convBiasSiluKernel: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, filter, bias } = inputs as Record<string, TensorInfo>;
    if (!allFloat32([x!, filter!, bias!])) throw new Error(`@vigil/cpu-accel: ${CONV_BIAS_SILU} needs float32 tensors`);
    const a = attrs as unknown as ConvBiasSiluAttrs;
    const ci = tf.backend_util.computeConv2DInfo(x!.shape as [number, number, number, number], filter!.shape as [number, number, number, number], a.strides, a.dilations, a.pad, undefined, false, 'channelsLast');
    const dims = convDims(ci);
    if (!dims) throw new Error(`@vigil/cpu-accel: ${CONV_BIAS_SILU}: unsupported padding for input ${x!.shape} and filter ${filter!.shape}`);
    const be = backend as BackendWasm;
    const out = be.makeOutput(ci.outShape, 'float32');
    pinThreadsOnce(addon);
    addon.convFwd(heapF32(be, x!), heapF32(be, filter!), heapF32(be, bias!), heapF32(be, out), dims, ACTIVATION_CODES['silu']!, 0);
    return out;
  };
  replaceKernel(BN_SILU, BACKEND, bnSilu);
  replaceKernel(BN_SILU_GRAD, BACKEND, bnSiluGrad);
  replaceKernel(CONV_BIAS_SILU, BACKEND, convBiasSiluKernel);
}

function checkChannels(C: number, gamma: TensorInfo, beta: TensorInfo): void {
  if (gamma.shape.length !== 1 || gamma.shape[0] !== C || beta.shape.length !== 1 || beta.shape[0] !== C) {
    throw new Error(`@vigil/cpu-accel: ${BN_SILU}: gamma ${JSON.stringify(gamma.shape)} and beta ${JSON.stringify(beta.shape)} must be [${C}]`);
  }
}

