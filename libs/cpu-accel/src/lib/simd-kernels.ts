import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type {
  Conv2DAttrs, SliceAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, KernelFunc, MaxPoolGradAttrs, ResizeNearestNeighborAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { BN_SILU, BN_SILU_GRAD, SGD_STEP, type BnSiluKernelLimits, type SgdStepAttrs } from '@vigil/core';
import { registerBnSiluGradient } from './custom-kernels.js';
import { currentKernel, originalKernel, replaceKernel } from './kernel-registry.js';
import { SimdThreadPool, type ConvKind } from './simd-threads.js';
import { lastAxisConcat, lastAxisSplit, lastAxisTranspose } from './last-axis.js';
import { allFloat32, heapF32 } from './wasm-heap.js';

/**
 * Portable kernels compiled from C to wasm SIMD (libs/cpu-accel/wasm/kernels.c, the committed kernels.wasm), run on
 * tfjs-backend-wasm's own memory (in place, single-threaded): im2col+GEMM convolution gradients, fused BN+SiLU forward
 * and backward, MaxPoolGrad, last-axis Concat / SplitV, ResizeNearestNeighborGrad. Used when the native addon is not.
 */
interface SimdExports {
  __stack_pointer: { value: number };
  conv_scratch_floats(dims: number): number;
  conv_fwd(dims: number, x: number, w: number, y: number, scratch: number, n0: number, n1: number): void;
  conv_bwd_data(dims: number, dy: number, w: number, dx: number, scratch: number, n0: number, n1: number): void;
  conv_bwd_weights(dims: number, x: number, dy: number, dw: number, scratch: number, n0: number, n1: number): void;
  bn_silu_fwd(x: number, g: number, b: number, eps: number, out: number, mean: number, v: number, M: number, C: number, fs: number, ds: number): void;
  bn_silu_bwd(x: number, g: number, b: number, mean: number, v: number, eps: number, dy: number, dx: number, dg: number, db: number, M: number, C: number, fs: number, ds: number): void;
  maxpool_grad(x: number, dy: number, dx: number, dims: number, best: number, at: number): void;
  concat_last(ptrs: number, cs: number, n: number, out: number, M: number): void;
  split_last(x: number, ptrs: number, cs: number, n: number, M: number): void;
  resize_nearest_grad(dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number): void;
  transpose_rows(x: number, out: number, dims: number): void;
  sgd_step(p: number, g: number, buf: number, lr: number, wd: number, mom: number, nesterov: number, po: number, bo: number, n: number): void;
}
interface EmscriptenHeap {
  asm: { memory: { buffer: ArrayBuffer } };
  _malloc(n: number): number;
  _free(p: number): void;
}

// The WebAssembly global of Node (not in the ES lib typings this workspace compiles against).
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const BACKEND = 'wasm';
const STACK_BYTES = 64 * 1024;
const MAX_PARTS = 64;

/** The C→wasm SIMD module file (same relative place from src/lib and dist/lib). */
export function simdModulePath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'wasm', 'kernels.wasm');
}

let instance: { backend: BackendWasm; E: SimdExports; argBlock: number } | undefined;

function load(backend: BackendWasm): { E: SimdExports; W: EmscriptenHeap; argBlock: number } {
  const W = backend.wasm as unknown as EmscriptenHeap;
  if (instance?.backend !== backend) {
    const mod = new WA.Module(readFileSync(simdModulePath()));
    const E = new WA.Instance(mod, { env: { memory: W.asm.memory } }).exports as unknown as SimdExports;
    // Its shadow stack lives in a block of the tfjs heap (never freed: one per backend instance).
    const stack = W._malloc(STACK_BYTES);
    E.__stack_pointer.value = (stack + STACK_BYTES) & ~15;
    instance = { backend, E, argBlock: W._malloc(4 * (2 * MAX_PARTS + 16)) };
  }
  return { E: instance.E, W, argBlock: instance.argBlock };
}

const ptr = (be: BackendWasm, t: TensorInfo): number => be.dataIdMap.get(t.dataId)!.memoryOffset;

function i32(W: EmscriptenHeap, at: number, values: ArrayLike<number>): number {
  new Int32Array(W.asm.memory.buffer, at, values.length).set(values);
  return at;
}

/** Runs `f` with a 16-byte-aligned scratch block of `bytes` on the tfjs heap, freed afterwards. */
function withScratch<T>(W: EmscriptenHeap, bytes: number, f: (p: number) => T): T {
  const raw = W._malloc(bytes + 16);
  try {
    return f((raw + 15) & ~15);
  } finally {
    W._free(raw);
  }
}

function convDims15(ci: tf.backend_util.Conv2DInfo): number[] {
  return [ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth, ci.outChannels,
    ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth, ci.padInfo.top, ci.padInfo.left, ci.dilationHeight, ci.dilationWidth];
}

/** The shared-memory build of the same kernels, for the threaded convolutions. */
function simdMtModulePath(): string {
  return join(dirname(simdModulePath()), 'kernels-mt.wasm');
}

let pool: SimdThreadPool | undefined;

/**
 * Runs a convolution on the thread pool when it pays: a batch to split, and enough multiply-adds per value copied in
 * and out of the pool's memory (1×1 convolutions on few channels are cheaper in place on one thread).
 */
function threaded(kind: ConvKind, ci: tf.backend_util.Conv2DInfo, be: BackendWasm, a: TensorInfo, b: TensorInfo, out: TensorInfo): boolean {
  if (!pool || ci.batchSize < 2) return false;
  const macs = ci.batchSize * ci.outHeight * ci.outWidth * ci.outChannels * ci.filterHeight * ci.filterWidth * ci.inChannels;
  const size = (t: TensorInfo) => tf.util.sizeFromShape(t.shape);
  const copied = size(a) + size(b) + size(out) * (kind === 'bwdWeights' ? pool.threads : 1);
  if (macs < 4e6 || macs < 32 * copied) return false;
  pool.conv(kind, convDims15(ci), heapF32(be, a), heapF32(be, b), heapF32(be, out));
  return true;
}

/**
 * One convolution (`kind`: forward, input gradient, filter gradient; operands `a`, `b` in the kernel's order) into
 * `out`: on the thread pool when it pays, else in place on the tfjs heap with a scratch block.
 */
function runConv(kind: ConvKind, ci: tf.backend_util.Conv2DInfo, be: BackendWasm, a: TensorInfo, b: TensorInfo, out: TensorInfo): TensorInfo {
  if (threaded(kind, ci, be, a, b, out)) return out;
  const { E, W, argBlock } = load(be);
  const dims = i32(W, argBlock, convDims15(ci));
  const run = kind === 'fwd' ? E.conv_fwd : kind === 'bwdData' ? E.conv_bwd_data : E.conv_bwd_weights;
  withScratch(W, 4 * E.conv_scratch_floats(dims), (s) => run(dims, ptr(be, a), ptr(be, b), ptr(be, out), s, 0, ci.batchSize));
  return out;
}

/** True when the SIMD module file is present (it is committed; a trimmed install may lack it). */
export function hasSimdModule(): boolean {
  return existsSync(simdModulePath());
}

/**
 * Registers the C→wasm SIMD kernels on the wasm backend (after the composite ones, which remain the fallbacks);
 * with `threads` ≥ 2 the large convolutions run on that many threads. Returns the number of threads in use.
 */
export function registerSimdKernels(threads = 1): number {
  if ((pool?.threads ?? 1) !== threads) {
    pool?.dispose();
    pool = SimdThreadPool.create(threads, simdMtModulePath());
  }
  const bu = tf.backend_util;
  const util = tf.util;
  const current = (name: string): KernelFunc => currentKernel(name, BACKEND);

  const convPrev = current('Conv2D');
  replaceKernel('Conv2D', BACKEND, (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DAttrs;
    if (a.dataFormat === 'NCHW' || !allFloat32([x, filter])) return convPrev(args);
    const be = args.backend as BackendWasm;
    const ci = bu.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast');
    return runConv('fwd', ci, be, x, filter, be.makeOutput(ci.outShape, 'float32'));
  });

  const bdPrev = current('Conv2DBackpropInput');
  replaceKernel('Conv2DBackpropInput', BACKEND, (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (a.dataFormat === 'NCHW' || !allFloat32([dy, filter])) return bdPrev(args);
    const be = args.backend as BackendWasm;
    const ci = bu.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    return runConv('bwdData', ci, be, dy, filter, be.makeOutput(ci.inShape, 'float32'));
  });

  const bfPrev = current('Conv2DBackpropFilter');
  replaceKernel('Conv2DBackpropFilter', BACKEND, (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW' || !allFloat32([x, dy])) return bfPrev(args);
    const be = args.backend as BackendWasm;
    const ci = bu.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    return runConv('bwdWeights', ci, be, x, dy, be.makeOutput(ci.filterShape, 'float32'));
  });

  registerBnSiluGradient();
  replaceKernel(BN_SILU, BACKEND, ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
    const C = gamma!.shape[0]!;
    if (C % 4 !== 0) throw new Error(`@vigil/cpu-accel: the portable ${BN_SILU} kernel needs channels % 4 == 0 (got ${C})`);
    const be = backend as BackendWasm;
    const y = be.makeOutput(x!.shape, 'float32'), mean = be.makeOutput([C], 'float32'), variance = be.makeOutput([C], 'float32');
    const { E, W } = load(be);
    withScratch(W, 4 * 4 * C + 8 * 2 * C, (s) =>
      E.bn_silu_fwd(ptr(be, x!), ptr(be, gamma!), ptr(be, beta!), Number(attrs!['eps']), ptr(be, y), ptr(be, mean), ptr(be, variance), util.sizeFromShape(x!.shape) / C, C, s + 16 * C, s));
    return [y, mean, variance];
  }, { channelMultiple: 4 } satisfies BnSiluKernelLimits);
  replaceKernel(BN_SILU_GRAD, BACKEND, ({ inputs, backend, attrs }) => {
    const { x, gamma, beta, mean, variance, dy } = inputs as Record<string, TensorInfo>;
    const C = gamma!.shape[0]!;
    const be = backend as BackendWasm;
    const dx = be.makeOutput(x!.shape, 'float32'), dgamma = be.makeOutput([C], 'float32'), dbeta = be.makeOutput([C], 'float32');
    const { E, W } = load(be);
    withScratch(W, 5 * 4 * C + 8 * 2 * C, (s) =>
      E.bn_silu_bwd(ptr(be, x!), ptr(be, gamma!), ptr(be, beta!), ptr(be, mean!), ptr(be, variance!), Number(attrs!['eps']), ptr(be, dy!),
        ptr(be, dx), ptr(be, dgamma), ptr(be, dbeta), util.sizeFromShape(x!.shape) / C, C, s + 16 * C, s));
    return [dx, dgamma, dbeta];
  });

  const poolGradPrev = current('MaxPoolGrad');
  replaceKernel('MaxPoolGrad', BACKEND, (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const a = args.attrs as unknown as MaxPoolGradAttrs;
    if (!allFloat32([dy, input])) return poolGradPrev(args);
    const be = args.backend as BackendWasm;
    const pi = bu.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const out = be.makeOutput(input.shape, 'float32');
    const { E, W, argBlock } = load(be);
    const C = pi.inChannels;
    withScratch(W, 8 * C, (s) => E.maxpool_grad(ptr(be, input), ptr(be, dy), ptr(be, out), i32(W, argBlock, [
      pi.batchSize, pi.inHeight, pi.inWidth, C, pi.outHeight, pi.outWidth, pi.filterHeight, pi.filterWidth, pi.strideHeight, pi.strideWidth, pi.padInfo.top, pi.padInfo.left,
    ]), s, s + 4 * C));
    return out;
  });

  const concatPrev = current('Concat');
  replaceKernel('Concat', BACKEND, (args) => {
    const c = lastAxisConcat(args, MAX_PARTS);
    if (!c) return concatPrev(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(c.outShape, 'float32');
    const { E, W, argBlock } = load(be);
    i32(W, argBlock, [...c.ts.map((t) => ptr(be, t)), ...c.ts.map((t) => t.shape[t.shape.length - 1]!)]);
    E.concat_last(argBlock, argBlock + 4 * c.ts.length, c.ts.length, ptr(be, out), util.sizeFromShape(c.outShape.slice(0, -1)));
    return out;
  });

  const splitPrev = current('SplitV');
  replaceKernel('SplitV', BACKEND, (args) => {
    const sp = lastAxisSplit(args, MAX_PARTS);
    if (!sp) return splitPrev(args);
    const be = args.backend as BackendWasm;
    const outs = sp.sizes.map((c) => be.makeOutput([...sp.x.shape.slice(0, -1), c], 'float32'));
    const { E, W, argBlock } = load(be);
    i32(W, argBlock, [...outs.map((o) => ptr(be, o)), ...sp.sizes]);
    E.split_last(ptr(be, sp.x), argBlock, argBlock + 4 * outs.length, outs.length, util.sizeFromShape(sp.x.shape.slice(0, -1)));
    return outs;
  });

  const resizeGradPrev = current('ResizeNearestNeighborGrad');
  replaceKernel('ResizeNearestNeighborGrad', BACKEND, (args) => {
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as ResizeNearestNeighborAttrs;
    if (a.alignCorners || a.halfPixelCenters || !allFloat32([images, dy]) || images.shape.length !== 4) return resizeGradPrev(args);
    const [N, H, Wd, C] = images.shape as [number, number, number, number];
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(images.shape, 'float32');
    const { E } = load(be);
    E.resize_nearest_grad(ptr(be, dy), ptr(be, out), N, H, Wd, C, dy.shape[1]!, dy.shape[2]!);
    return out;
  });
  return pool?.threads ?? 1;
}

/**
 * Registers the SIMD kernels both paths use (memory-bound or layout work, where native code would gain nothing): the
 * {@link SGD_STEP} update, the Transpose that keeps the last axis, and non-contiguous Slice.
 */
export function registerSimdCommonKernels(): void {
  // Transposes that keep the last axis (Focus's space-to-depth [B,H/2,2,W/2,2,C] → [B,H/2,W/2,2,2,C]): row copies;
  // the backend's element-by-element kernel took ~8 ms of a yolov5n6 step for it. Others: the stock kernel.
  const transposePrev = originalKernel('Transpose', BACKEND)!;
  replaceKernel('Transpose', BACKEND, (args) => {
    const t = lastAxisTranspose(args);
    if (!t) return transposePrev(args);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(t.outShape, 'float32');
    const { E, W, argBlock } = load(be);
    E.transpose_rows(ptr(be, t.x), ptr(be, out), i32(W, argBlock, t.dims));
    return out;
  });

  // Slices that are not one contiguous block (e.g. the loss's column slices of [n, 5 + nc] predictions): the same row
  // copies from the first selected element; the backend copies them one JS subarray a row (~6 ms for 38400 rows).
  const slicePrev = originalKernel('Slice', BACKEND)!;
  replaceKernel('Slice', BACKEND, (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { begin, size } = args.attrs as unknown as SliceAttrs;
    const r = x.shape.length;
    if (x.dtype !== 'float32' || r < 2 || r > 6) return slicePrev(args);
    const [b, sz] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    if (sz.some((v) => v === 0) || tf.slice_util.isSliceContinous(x.shape, b, sz)) return slicePrev(args);
    const stride = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((p, q) => p * q, 1));
    const offset = b.reduce((acc, v, i) => acc + v * stride[i]!, 0);
    const be = args.backend as BackendWasm;
    const out = be.makeOutput(sz, 'float32');
    const pad = 6 - r;
    const dims = [...new Array<number>(pad).fill(1), ...sz, ...new Array<number>(pad).fill(0), ...stride.slice(0, r - 1)];
    const { E, W, argBlock } = load(be);
    E.transpose_rows(ptr(be, x) + 4 * offset, ptr(be, out), i32(W, argBlock, dims));
    return out;
  });

  registerSimdSgdKernel();
}

function registerSimdSgdKernel(): void {
  replaceKernel(SGD_STEP, BACKEND, ({ inputs, backend, attrs }) => {
    const { param, grad, buf } = inputs as Record<string, TensorInfo>;
    const n = tf.util.sizeFromShape(param!.shape);
    if (!allFloat32([param!, grad!, buf!]) || tf.util.sizeFromShape(grad!.shape) !== n || tf.util.sizeFromShape(buf!.shape) !== n) {
      throw new Error(`@vigil/cpu-accel: ${SGD_STEP} needs float32 param, grad and buf of one size`);
    }
    const be = backend as BackendWasm;
    const po = be.makeOutput(param!.shape, 'float32'), bo = be.makeOutput(param!.shape, 'float32');
    const { E } = load(be);
    const a = attrs as unknown as SgdStepAttrs;
    E.sgd_step(ptr(be, param!), ptr(be, grad!), ptr(be, buf!), a.lr, a.weightDecay, a.momentum, a.nesterov ? 1 : 0, ptr(be, po), ptr(be, bo), n);
    return [po, bo];
  });
}
