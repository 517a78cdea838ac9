import * as tf from '@tensorflow/tfjs-core';
import type { ConcatAttrs, KernelFunc, SplitVAttrs, TensorInfo, TransposeAttrs } from '@tensorflow/tfjs-core';
import { allFloat32 } from './wasm-heap.js';

type KernelArgs = Parameters<KernelFunc>[0];

/**
 * The Concat the replaced kernels handle (native and wasm-SIMD): ≥ 2 float32 inputs of one rank joined on the last
 * axis, at most `maxParts` of them. Returns the inputs and output shape, or undefined for the stock kernel.
 */
export function lastAxisConcat(args: KernelArgs, maxParts = Infinity): { ts: TensorInfo[]; outShape: number[] } | undefined {
  const ts = (Array.isArray(args.inputs) ? args.inputs : Object.values(args.inputs)) as TensorInfo[];
  const rank = ts[0]!.shape.length;
  if (ts.length < 2 || ts.length > maxParts || rank === 0 || !allFloat32(ts)) return undefined;
  const axis = tf.util.parseAxisParam((args.attrs as unknown as ConcatAttrs).axis, ts[0]!.shape)[0]!;
  if (axis !== rank - 1 || ts.some((t) => t.shape.length !== rank)) return undefined;
  return { ts, outShape: tf.backend_util.computeOutShape(ts.map((t) => t.shape), axis) };
}

/**
 * The SplitV the replaced kernels handle: a float32 tensor split on its last axis into at most `maxParts` parts.
 * Returns the input and the part sizes, or undefined for the stock kernel.
 */
export function lastAxisSplit(args: KernelArgs, maxParts = Infinity): { x: TensorInfo; sizes: number[] } | undefined {
  const { x } = args.inputs as { x: TensorInfo };
  const rank = x.shape.length;
  if (rank === 0 || x.dtype !== 'float32') return undefined;
  const a = args.attrs as unknown as SplitVAttrs;
  const axis = tf.util.parseAxisParam(a.axis, x.shape)[0]!;
  if (axis !== rank - 1) return undefined;
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, a.numOrSizeSplits, axis);
  return sizes.length > maxParts ? undefined : { x, sizes };
}

/**
 * The Transpose the replaced kernels handle (native and wasm-SIMD): a float32 transpose of rank 2–6 that keeps the last
 * axis (e.g. Focus's space-to-depth [B,H/2,2,W/2,2,C] → [B,H/2,W/2,2,2,C]), i.e. copies of whole rows. Returns the
 * output shape and the row-copy dims both kernels take: the output shape padded to rank 6 with leading 1s, then the
 * input strides (floats) of the first five output axes (0 for the padding). Undefined for the stock kernel.
 */
export function lastAxisTranspose(args: KernelArgs): { x: TensorInfo; outShape: number[]; dims: number[] } | undefined {
  const { x } = args.inputs as { x: TensorInfo };
  const { perm } = args.attrs as unknown as TransposeAttrs;
  const r = x.shape.length;
  if (x.dtype !== 'float32' || r < 2 || r > 6 || perm[r - 1] !== r - 1 || x.shape[r - 1]! < 2) return undefined;
  const inStride = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const outShape = perm.map((p) => x.shape[p]!);
  const pad = 6 - r;
  const dims = [...new Array<number>(pad).fill(1), ...outShape, ...new Array<number>(pad).fill(0), ...perm.slice(0, r - 1).map((p) => inStride[p]!)];
  return { x, outShape, dims };
}
