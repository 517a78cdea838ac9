import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { registerGradients } from './gradients.js';
import { originalKernel, replaceKernel } from './kernel-registry.js';

/**
 * Corrected ResizeNearestNeighborGrad for the stock `cpu` backend. tfjs-backend-cpu 4.22.0 reads `dy` at
 * `b · imagesStrides[0]` instead of `b · dyStrides[0]`, so every image after the first in a batch gets a wrong
 * gradient (YOLOv5's nn.Upsample backward). Handles alignCorners = false (halfPixelCenters either way, as tfjs's
 * forward); other cases use the original kernel.
 */
export const resizeNearestNeighborGradCpu: KernelFunc = (args) => {
  const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
  const a = args.attrs as unknown as ResizeNearestNeighborGradAttrs;
  if (a.alignCorners) return originalKernel('ResizeNearestNeighborGrad', 'cpu')!(args);
  const be = args.backend as MathBackendCPU;
  const [N, H, W, C] = images.shape as [number, number, number, number];
  const [, OH, OW] = dy.shape as [number, number, number, number];
  const g = be.data.get(dy.dataId).values as Float32Array;
  const out = new Float32Array(N * H * W * C);
  const hs = H / OH, ws = W / OW;
  const src = (o: number, scale: number, size: number): number => {
    const f = a.halfPixelCenters ? Math.floor((o + 0.5) * scale) : Math.floor(o * scale);
    return Math.max(0, Math.min(size - 1, f));
  };
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < OH; y++) {
      const sy = src(y, hs, H);
      for (let x = 0; x < OW; x++) {
        const o = ((n * H + sy) * W + src(x, ws, W)) * C, i = ((n * OH + y) * OW + x) * C;
        for (let c = 0; c < C; c++) out[o + c]! += g[i + c]!;
      }
    }
  }
  return be.makeTensorInfo(images.shape, 'float32', out);
};

/**
 * Fixes the stock `cpu` backend's kernels that are wrong in tfjs-backend-cpu 4.22.0 (ResizeNearestNeighborGrad for
 * batch > 1). Idempotent; registers the kernel whether or not `cpu` is the active backend. Call it before training
 * or gradient tests on `cpu`. Also registers tfjs-core's gradient functions ({@link registerGradients}).
 */
export async function patchCpuBackend(): Promise<void> {
  await registerGradients();
  await import('@tensorflow/tfjs-backend-cpu');
  replaceKernel('ResizeNearestNeighborGrad', 'cpu', resizeNearestNeighborGradCpu);
}
