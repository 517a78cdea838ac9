import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

/**
 * Replaces kernels of one backend and remembers the originals, so the replacement can fall back to them for cases it
 * does not handle (other dtypes, NCHW, …) and so {@link restoreKernels} can put them back (tests switch paths).
 */
const originals = new Map<string, KernelConfig | null>();

function key(name: string, backend: string): string {
  return `${backend}/${name}`;
}

/** The kernel that was registered before our first replacement (undefined when there was none). */
export function originalKernel(name: string, backend: string): KernelFunc | undefined {
  const k = key(name, backend);
  const saved = originals.has(k) ? originals.get(k) : tf.getKernel(name, backend);
  return saved?.kernelFunc ?? undefined;
}

/**
 * The kernel registered as `name` on `backend` right now (stock, or a replacement registered earlier), for a
 * replacement to defer the cases it does not handle to; calling it throws when there is none.
 */
export function currentKernel(name: string, backend: string): KernelFunc {
  const k = tf.getKernel(name, backend)?.kernelFunc;
  return k ?? (() => { throw new Error(`@vigil/cpu-accel: no ${name} kernel for this case on ${backend}`); });
}

/**
 * Registers `kernelFunc` as `name` on `backend`, replacing (and remembering) any existing kernel. `extra` fields go
 * into the registered config (e.g. a custom kernel's limits, @vigil/core's `BnSiluKernelLimits`).
 */
export function replaceKernel(name: string, backend: string, kernelFunc: KernelFunc, extra: object = {}): void {
  const k = key(name, backend);
  const existing = tf.getKernel(name, backend);
  if (!originals.has(k)) originals.set(k, existing ?? null);
  if (existing) tf.unregisterKernel(name, backend);
  tf.registerKernel({ ...extra, kernelName: name, backendName: backend, kernelFunc });
}

/** Puts back the kernels that {@link replaceKernel} replaced on `backend` (removes ones that did not exist). */
export function restoreKernels(backend: string): void {
  for (const [k, cfg] of originals) {
    const [b, name] = [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)];
    if (b !== backend) continue;
    if (tf.getKernel(name, b)) tf.unregisterKernel(name, b);
    if (cfg) tf.registerKernel(cfg);
    originals.delete(k);
  }
}
