import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type {
  Conv2DAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, FusedConv2DAttrs, KernelFunc, MaxPoolAttrs,
  MaxPoolGradAttrs, ResizeNearestNeighborAttrs, TensorInfo,
} from '@tensorflow/tfjs-core';
import { currentKernel, replaceKernel } from './kernel-registry.js';
import { ACTIVATION_CODES, pinThreadsOnce, type NativeAddon } from './native-addon.js';
import { lastAxisConcat, lastAxisSplit, lastAxisTranspose } from './last-axis.js';
import { allFloat32, heapF32 } from './wasm-heap.js';

/**
 * Native (oneDNN) kernels for the tfjs wasm backend, working in place on the wasm heap. Each kernel handles the
 * float32 NHWC cases YOLOv5 uses and defers every other case to the kernel it replaced.
 */
const BACKEND = 'wasm';
/** Elements below which Add stays on the single-threaded XNNPACK kernel (thread start-up would dominate). */
const NATIVE_ADD_MIN = 1 << 16;
type Conv2DInfo = tf.backend_util.Conv2DInfo;

/** Native conv dims: N,H,W,C, OH,OW,K, KH,KW, SH,SW, PT,PL,PB,PR, DH,DW (native/src/conv.cc). */
export function convDims(ci: Conv2DInfo): Int32Array | null {
  const effH = (ci.filterHeight - 1) * ci.dilationHeight + 1, effW = (ci.filterWidth - 1) * ci.dilationWidth + 1;
  // Bottom/right padding that oneDNN's shape check expects exactly (tfjs may report more for 'valid'/'same' cases).
  const pb = (ci.outHeight - 1) * ci.strideHeight + effH - ci.inHeight - ci.padInfo.top;
  const pr = (ci.outWidth - 1) * ci.strideWidth + effW - ci.inWidth - ci.padInfo.left;
  if (ci.padInfo.top < 0 || ci.padInfo.left < 0) return null;
  return Int32Array.of(
    ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth, ci.outChannels,
    ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth, ci.padInfo.top, ci.padInfo.left, Math.max(0, pb), Math.max(0, pr),
    ci.dilationHeight, ci.dilationWidth,
  );
}

function poolDims(pi: Conv2DInfo): Int32Array {
  return Int32Array.of(
    pi.batchSize, pi.inHeight, pi.inWidth, pi.inChannels, pi.outHeight, pi.outWidth,
    pi.filterHeight, pi.filterWidth, pi.strideHeight, pi.strideWidth, pi.padInfo.top, pi.padInfo.left,
  );
}

/** The kernel registered now (stock or portable), used for the cases the native one does not handle. */
const fallback = (name: string): KernelFunc => currentKernel(name, BACKEND);

/** Registers the native kernels on the wasm backend (idempotent). The caller has already registered the portable ones. */
export function registerNativeKernels(addon: NativeAddon): void {
  const bu = tf.backend_util;
  const util = tf.util;

  const conv2DStock = fallback('Conv2D');
  const conv2D: KernelFunc = (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DAttrs;
    if (a.dataFormat === 'NCHW' || !allFloat32([x, filter])) return conv2DStock(args);
    const ci = bu.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const dims = convDims(ci);
    if (!dims) return conv2DStock(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(ci.outShape, 'float32');
    pinThreadsOnce(addon);
    addon.convFwd(heapF32(be, x), heapF32(be, filter), null, heapF32(be, out), dims, 0, 0);
    return out;
  };
  replaceKernel('Conv2D', BACKEND, conv2D);

  const fusedStock = fallback('FusedConv2D');
  const fusedConv2D: KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const a = args.attrs as unknown as FusedConv2DAttrs;
    const act = ACTIVATION_CODES[a.activation ?? 'linear'];
    const K = filter!.shape[3]!;
    if (a.dataFormat === 'NCHW' || act === undefined || preluActivationWeights || !allFloat32([x!, filter!])) return fusedStock(args);
    if (bias && (bias.dtype !== 'float32' || util.sizeFromShape(bias.shape) !== K)) return fusedStock(args);
    const ci = bu.computeConv2DInfo(x!.shape as [number, number, number, number], filter!.shape as [number, number, number, number], a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const dims = convDims(ci);
    if (!dims) return fusedStock(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(ci.outShape, 'float32');
    pinThreadsOnce(addon);
    addon.convFwd(heapF32(be, x!), heapF32(be, filter!), bias ? heapF32(be, bias) : null, heapF32(be, out), dims, act, a.leakyreluAlpha ?? 0.2);
    return out;
  };
  replaceKernel('FusedConv2D', BACKEND, fusedConv2D);

  const bdStock = fallback('Conv2DBackpropInput');
  replaceKernel('Conv2DBackpropInput', BACKEND, (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (a.dataFormat === 'NCHW' || !allFloat32([dy, filter])) return bdStock(args);
    const ci = bu.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const dims = convDims(ci);
    if (!dims) return bdStock(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(ci.inShape, 'float32');
    addon.convBwdData(heapF32(be, dy), heapF32(be, filter), heapF32(be, out), dims);
    return out;
  });

  const bfStock = fallback('Conv2DBackpropFilter');
  replaceKernel('Conv2DBackpropFilter', BACKEND, (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW' || !allFloat32([x, dy])) return bfStock(args);
    const ci = bu.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const dims = convDims(ci);
    if (!dims) return bfStock(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(ci.filterShape, 'float32');
    addon.convBwdWeights(heapF32(be, x), heapF32(be, dy), heapF32(be, out), dims);
    return out;
  });

  const poolStock = fallback('MaxPool');
  replaceKernel('MaxPool', BACKEND, (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const a = args.attrs as unknown as MaxPoolAttrs;
    if (x.dtype !== 'float32' || x.shape.length !== 4) return poolStock(args);
    const pi = bu.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    if (pi.padInfo.top < 0 || pi.padInfo.left < 0) return poolStock(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(pi.outShape, 'float32');
    addon.maxPool(heapF32(be, x), heapF32(be, out), poolDims(pi));
    return out;
  });

  const poolGradStock = fallback('MaxPoolGrad');
  replaceKernel('MaxPoolGrad', BACKEND, (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const a = args.attrs as unknown as MaxPoolGradAttrs;
    if (!allFloat32([dy, input])) return poolGradStock(args);
    const pi = bu.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(input.shape, 'float32');
    addon.maxPoolGrad(heapF32(be, input), heapF32(be, dy), heapF32(be, out), poolDims(pi));
    return out;
  });

  const concatStock = fallback('Concat');
  replaceKernel('Concat', BACKEND, (args) => {
    const c = lastAxisConcat(args);
    if (!c) return concatStock(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(c.outShape, 'float32');
    addon.concatLast(c.ts.map((t) => heapF32(be, t)), heapF32(be, out), util.sizeFromShape(c.outShape.slice(0, -1)));
    return out;
  });

  const splitStock = fallback('SplitV');
  replaceKernel('SplitV', BACKEND, (args) => {
    const sp = lastAxisSplit(args);
    if (!sp) return splitStock(args);
    const be = args.backend as BackendWasm;
    const outs = sp.sizes.map((c) => be.makeOutput([...sp.x.shape.slice(0, -1), c], 'float32'));
    addon.splitLast(heapF32(be, sp.x), outs.map((o) => heapF32(be, o)), util.sizeFromShape(sp.x.shape.slice(0, -1)));
    return outs;
  });

  // Transposes that keep the last axis (Focus): the wasm-SIMD row copies took ~4–5 ms a yolov5n6 step for the one
  // space-to-depth (runs of 3 floats); native, unrolled and on all threads. A build predating it keeps the SIMD kernel.
  if (addon.transposeRows) {
    const transposePrev = fallback('Transpose');
    replaceKernel('Transpose', BACKEND, (args) => {
      const t = lastAxisTranspose(args);
      if (!t) return transposePrev(args);
      const be = args.backend as BackendWasm;
      const out = be.makeOutput(t.outShape, 'float32');
      addon.transposeRows!(heapF32(be, t.x), heapF32(be, out), Int32Array.from(t.dims));
      return out;
    });
  }

  // Same-shape float32 Add (gradient accumulation, residuals): two threads instead of one; small ones stay on XNNPACK.
  const addStock = fallback('Add');
  replaceKernel('Add', BACKEND, (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (!allFloat32([a, b]) || !util.arraysEqual(a.shape, b.shape) || util.sizeFromShape(a.shape) < NATIVE_ADD_MIN) return addStock(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(a.shape, 'float32');
    addon.addSame(heapF32(be, a), heapF32(be, b), heapF32(be, out));
    return out;
  });

  const resizeStock = fallback('ResizeNearestNeighbor');
  replaceKernel('ResizeNearestNeighbor', BACKEND, (args) => {
    const { images } = args.inputs as { images: TensorInfo };
    const a = args.attrs as unknown as ResizeNearestNeighborAttrs;
    if (a.alignCorners || a.halfPixelCenters || images.dtype !== 'float32' || images.shape.length !== 4) return resizeStock(args);
    const [N, H, W, C] = images.shape as [number, number, number, number];
    const [OH, OW] = a.size;
    const be = args.backend as BackendWasm;
    const out = be.makeOutput([N, OH, OW, C], 'float32');
    addon.resizeNearest(heapF32(be, images), heapF32(be, out), Int32Array.of(N, H, W, C, OH, OW));
    return out;
  });

  const resizeGradStock = fallback('ResizeNearestNeighborGrad');
  replaceKernel('ResizeNearestNeighborGrad', BACKEND, (args) => {
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as ResizeNearestNeighborAttrs;
    if (a.alignCorners || a.halfPixelCenters || !allFloat32([images, dy]) || images.shape.length !== 4) return resizeGradStock(args);
    const [N, H, W, C] = images.shape as [number, number, number, number];
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(images.shape, 'float32');
    addon.resizeNearestGrad(heapF32(be, dy), heapF32(be, out), Int32Array.of(N, H, W, C, dy.shape[1]!, dy.shape[2]!));
    return out;
  });
}
