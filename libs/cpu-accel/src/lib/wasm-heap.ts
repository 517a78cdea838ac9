import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Access to tfjs-backend-wasm internals (pinned to 4.22.0): tensors live on the wasm heap and a Float32Array view of
 * one (no copy) comes from `typedArrayFromHeap`. Views are taken only after every output of a kernel is allocated with
 * `makeOutput`, because allocating can grow the heap and detach earlier views.
 */
export function heapF32(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** True when every tensor is float32 (the only dtype the replaced kernels handle; others use the stock kernel). */
export function allFloat32(ts: readonly TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === 'float32');
}
