import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of the webgpu backend the kernels here use. */
interface BackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object): void;
}

/**
 * tfjs-backend-webgpu 4.22.0's AddN binds every input as a storage buffer of one shader, so more inputs than the
 * device's `maxStorageBuffersPerShaderStage − 1` (7 on SwiftShader, commonly 8–31) fail validation — and Dawn then
 * leaves the output unwritten. Vigil sums one scalar a parameter (gradient-norm clipping: 200+ inputs). This AddN sums
 * in chunks the stock kernel can take, then the partial sums, in input order.
 */
function chunkedAddN(stock: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as BackendLike;
    const perShader = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    const made = new Set<TensorInfo>();
    let level = args.inputs as unknown as TensorInfo[];
    while (level.length > perShader) {
      const next: TensorInfo[] = [];
      for (let i = 0; i < level.length; i += perShader) {
        const part = level.slice(i, i + perShader);
        if (part.length === 1) next.push(part[0]!);
        else {
          const sum = stock({ ...args, inputs: part as unknown as tf.NamedTensorInfoMap }) as TensorInfo;
          made.add(sum);
          next.push(sum);
        }
      }
      level = next;
    }
    const out = stock({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap }) as TensorInfo;
    for (const t of made) backend.disposeData(t.dataId);
    return out;
  };
}

let registered = false;

/** Replaces the webgpu kernels Vigil's training hits limits of (idempotent; after tfjs-backend-webgpu is loaded). */
export function registerWebGpuKernels(): void {
  if (registered) return;
  const stock = tf.getKernel(tf.AddN, 'webgpu');
  if (!stock) throw new Error('tfjs-backend-webgpu registered no AddN kernel');
  const config: KernelConfig = { kernelName: tf.AddN, backendName: 'webgpu', kernelFunc: chunkedAddN(stock.kernelFunc) };
  tf.unregisterKernel(tf.AddN, 'webgpu');
  tf.registerKernel(config);
  registered = true;
}
