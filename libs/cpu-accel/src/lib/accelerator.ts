import * as tf from '@tensorflow/tfjs-core';
import { registerFusedKernels } from './native-fused-kernels.js';
import { registerGradients } from './gradients.js';
import { restoreKernels } from './kernel-registry.js';
import { loadNativeAddon } from './native-addon.js';
import { registerNativeKernels } from './native-kernels.js';
import { registerConvBnSiluKernel } from './conv-bn-silu.js';
import { registerPortableKernels } from './portable-kernels.js';
import { hasSimdModule, registerSimdKernels, registerSimdCommonKernels } from './simd-kernels.js';
import { simdThreadCount } from './simd-threads.js';

/** Which kernels back the accelerated CPU path. */
export type CpuAccelPath = 'native' | 'portable';

export interface CpuAccelStatus {
  path: CpuAccelPath;
  /** tfjs backend name the kernels are registered on. */
  tfBackend: 'wasm';
  /** One line for logs: what runs and, on the portable path, why native is not used and how to enable it. */
  description: string;
}

export interface CpuAccelOptions {
  /**
   * `auto` (default): native kernels when the addon loads, else portable; `portable`: never load the native addon
   * (C→wasm SIMD kernels over the composite ones); `composite`: only the pure-TS composite gradients (tests).
   */
  kernels?: 'auto' | 'portable' | 'composite';
  /** Threads for the portable wasm-SIMD convolutions (default `VIGIL_CPU_ACCEL_THREADS`, else the CPU count; 1 = in place, no workers). */
  threads?: number;
  /** Environment to read `VIGIL_CPU_ACCEL_NATIVE` from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Activates the accelerated CPU path: makes the tfjs `wasm` backend active and registers the replacement kernels
 * (portable composite gradients always; the native oneDNN kernels on top when the addon loads) and Vigil's custom
 * kernels (@vigil/core's kernel names: the Conv+BN+SiLU of YOLOv5's Conv block always, the fused BN+SiLU training
 * kernel on the native and wasm-SIMD paths, the SGD update with the SIMD module), so @vigil/yolov5 and
 * @vigil/trainer run them with no further wiring. Calling it again re-registers (so tests can switch between paths).
 */
export async function activateCpuAccel(options: CpuAccelOptions = {}): Promise<CpuAccelStatus> {
  await registerGradients();
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not initialise');
  await tf.ready();
  restoreKernels('wasm');
  registerConvBnSiluKernel();
  registerPortableKernels();
  if (hasSimdModule()) registerSimdCommonKernels();
  const kernels = options.kernels ?? 'auto';
  const native = kernels === 'auto' ? loadNativeAddon(options.env) : { addon: null, detail: 'native kernels not requested' };
  if (native.addon) {
    registerNativeKernels(native.addon);
    registerFusedKernels(native.addon);
    return { path: 'native', tfBackend: 'wasm', description: `tfjs wasm backend + native oneDNN kernels (${native.detail})` };
  }
  if (kernels !== 'composite' && hasSimdModule()) {
    const threads = registerSimdKernels(options.threads ?? simdThreadCount(options.env));
    const t = threads > 1 ? `, convolutions on ${threads} threads` : '';
    return { path: 'portable', tfBackend: 'wasm', description: `tfjs wasm backend + portable wasm-SIMD training kernels${t} (${native.detail})` };
  }
  return { path: 'portable', tfBackend: 'wasm', description: `tfjs wasm backend + portable composite training kernels (${native.detail})` };
}

/** An accelerated-CPU provider, as @vigil/runtime installs it (`setCpuAccelerator`) for its `accel` backend choice. */
export interface CpuAccelerator {
  /** Makes `tfBackend` active with the accelerated kernels; returns a short description of the active path. */
  activate(): Promise<{ tfBackend: string; description: string }>;
}

/** The accelerated-CPU provider for @vigil/runtime's `accel` backend choice. */
export function createCpuAccelerator(options: CpuAccelOptions = {}): CpuAccelerator {
  return { activate: () => activateCpuAccel(options) };
}
