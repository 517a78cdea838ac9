import * as tf from '@tensorflow/tfjs-core';
import type { ConcatAttrs, KernelFunc, SplitVAttrs, TensorInfo } from '@tensorflow/tfjs-core';
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
