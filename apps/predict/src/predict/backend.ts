import { yoloConvKernels } from '@vigil/cpu-accel';
import { initBackend } from '@vigil/runtime';
import { registerConvBnSiluKernel } from '@vigil/yolov5';

/** Help text of the --backend flag (the main command and `monitor`). */
export const BACKEND_FLAG_HELP = 'tfjs backend: auto, tensorflow-gpu, tensorflow, accel, wasm, cpu (default: env VIGIL_BACKEND, else auto)';

/** Picks the tfjs backend (`prefer`: a --backend value) and, on the accelerated CPU path, registers its fused kernel. */
export async function initPredictBackend(prefer: string | undefined): Promise<Awaited<ReturnType<typeof initBackend>>> {
  const backend = await initBackend({ prefer });
  if (backend.kind === 'accel') {
    // The accelerated CPU path's fused Conv+BN+SiLU kernel, used by the models in eval mode.
    const k = yoloConvKernels();
    registerConvBnSiluKernel(k.backend, k.eval);
  }
  return backend;
}
