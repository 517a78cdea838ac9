import { BACKEND_ORDER, initBackend } from '@vigil/runtime';

/** Help text of the --backend flag (the main command and `monitor`). */
export const BACKEND_FLAG_HELP = `tfjs backend: auto, ${BACKEND_ORDER.join(', ')} (default: env VIGIL_BACKEND, else auto)`;

/**
 * Picks the tfjs backend (`prefer`: a --backend value). On the accelerated CPU path the activation registers the fused
 * Conv+BN+SiLU kernel in tfjs' registry, where the models find it.
 */
export async function initPredictBackend(prefer: string | undefined): Promise<Awaited<ReturnType<typeof initBackend>>> {
  return initBackend({ prefer });
}
