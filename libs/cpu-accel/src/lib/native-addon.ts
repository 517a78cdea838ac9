import { access, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The optional Node-API addon (native/src/*.cc): oneDNN convolutions and memory-bound helper kernels working in place on
 * float32 buffers (views of the tfjs wasm heap). Every output buffer is allocated by the caller before the views are
 * taken (allocation can grow, and so detach, the wasm heap).
 */
export interface NativeAddon {
  /** y = act(conv(x, w) + bias). `dims` = {@link convDims}; `act` = {@link ACTIVATION_CODES}; `alpha` for leaky relu. */
  convFwd(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, dims: Int32Array, act: number, alpha: number): void;
  convBwdData(dy: Float32Array, w: Float32Array, dx: Float32Array, dims: Int32Array): void;
  convBwdWeights(x: Float32Array, dy: Float32Array, dw: Float32Array, dims: Int32Array): void;
  /** Batch-norm with batch statistics (biased variance) + SiLU over rows of `x` viewed as [M, C]. */
  bnSiluFwd(x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number, out: Float32Array, mean: Float32Array, variance: Float32Array): void;
  bnSiluBwd(
    x: Float32Array, gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, eps: number,
    dy: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  ): void;
  /** dims = [N,H,W,C,OH,OW,KH,KW,SH,SW,PT,PL] */
  maxPool(x: Float32Array, y: Float32Array, dims: Int32Array): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, dims: Int32Array): void;
  /** parts[i] is [M, C_i], out is [M, ΣC_i]. */
  concatLast(parts: Float32Array[], out: Float32Array, rows: number): void;
  splitLast(x: Float32Array, parts: Float32Array[], rows: number): void;
  /** dims = [N,H,W,C,OH,OW]; alignCorners = halfPixelCenters = false. */
  resizeNearest(x: Float32Array, y: Float32Array, dims: Int32Array): void;
  resizeNearestGrad(dy: Float32Array, dx: Float32Array, dims: Int32Array): void;
  /** out = a + b (same element count). */
  addSame(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** A transpose keeping the last axis; dims = output shape padded to rank 6, then 5 input strides (`lastAxisTranspose`). Absent in builds before 2026-11-28. */
  transposeRows?(x: Float32Array, out: Float32Array, dims: Int32Array): void;
  dnnlVersion(): string;
  threads(): number;
  /**
   * Pins OpenMP thread t to the t-th allowed CPU (the caller is thread 0); children forked later get the original set
   * back. Returns how many threads were pinned. Absent in builds before 2026-11-28.
   */
  pinThreads?(): number;
}

/** Activation codes of `convFwd` (native/src/conv.cc `enum Act`), by tfjs fused-activation name. */
export const ACTIVATION_CODES: Readonly<Record<string, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  leakyrelu: 3,
  sigmoid: 4,
  elu: 5,
  silu: 6,
};

/** Environment variable: `0` disables the native addon (forces the portable path). */
export const NATIVE_ENV = 'VIGIL_CPU_ACCEL_NATIVE';

export interface NativeAddonStatus {
  addon: NativeAddon | null;
  /** One line: the oneDNN version and threads, or why the addon is not used and how to get it. */
  detail: string;
}

/** Where `native/build.mjs` puts the addon (same relative place from src/lib and dist/lib). */
export function nativeAddonPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'native', 'build', 'Release', 'vigil_cpu_accel.node');
}

let cached: NativeAddonStatus | undefined;

/** Environment variable: `0` leaves the OpenMP threads unpinned. */
export const PIN_ENV = 'VIGIL_CPU_ACCEL_PIN';

let pinDone = false;

/**
 * Pins the OpenMP threads to one CPU each (the JS main thread is thread 0), once, at the first convolution: unless the
 * user chose an OpenMP placement (OMP_PROC_BIND / OMP_PLACES / GOMP_CPU_AFFINITY) or set {@link PIN_ENV}=0. Each
 * kernel then finds the rows its thread wrote in the previous kernel in that core's cache, and a thread sharing a
 * core with another job stays put. Measured on the 2-core machine, yolov5n6 step: idle, median of 4, unpinned
 * 164.8 → 158.4 ms (pinning only the worker: 165.6, no gain); one core busy with another process 633–683 → 333–339
 * ms (worker only: 598–713).
 *
 * Threads inherit the CPU set of the thread that creates them, so this happens as late as possible (a data-preparation
 * worker or libuv's thread pool started before training keep the whole machine; the pool is started here if it was
 * not yet, so sharp/libvips work keeps both cores), and processes forked afterwards get the original set back
 * (pthread_atfork in the addon: a PyTorch baseline spawned from a pinned main thread otherwise ran on one core).
 */
export function pinThreadsOnce(addon: NativeAddon): void {
  if (pinDone) return;
  pinDone = true;
  if (process.env[PIN_ENV] === '0' || !addon.pinThreads || addon.threads() < 2) return;
  if (['OMP_PROC_BIND', 'OMP_PLACES', 'GOMP_CPU_AFFINITY'].some((k) => process.env[k] !== undefined)) return;
  access(process.cwd(), () => undefined); // creates libuv's pool threads now (synchronously) if they do not exist yet
  addon.pinThreads();
}

/** Loads the native addon once (cached). Never throws: a missing or broken build gives `addon: null` and the reason. */
export function loadNativeAddon(env: Record<string, string | undefined> = process.env): NativeAddonStatus {
  if (env[NATIVE_ENV] === '0') return { addon: null, detail: `native kernels disabled by ${NATIVE_ENV}=0` };
  if (cached) return cached;
  const path = nativeAddonPath();
  const howTo = 'run `npm run build:native -w @vigil/cpu-accel` (needs libdnnl-dev, g++)';
  if (!existsSync(path)) {
    cached = { addon: null, detail: `native oneDNN addon not built; ${howTo}` };
    return cached;
  }
  // OpenMP settings for the addon's libgomp, read once when it loads; set only for that moment (child processes, e.g.
  // a Python baseline, keep the user's environment) and only where the user set nothing of the kind.
  const omp: Record<string, string> = {};
  // libgomp's threads spin ~300k iterations at every barrier by default; on a busy 2-core machine the spinning thread
  // steals the core the other needs and kernels run 5–10× slower (measured: BN+SiLU 3 ms → 30–70 ms under load).
  // Spin briefly, then sleep.
  if (process.env['GOMP_SPINCOUNT'] === undefined && process.env['OMP_WAIT_POLICY'] === undefined) omp['GOMP_SPINCOUNT'] = '10000';
  Object.assign(process.env, omp);
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const t = addon.threads();
    cached = { addon, detail: `oneDNN ${addon.dnnlVersion()}, ${t} thread${t === 1 ? '' : 's'}` };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    cached = { addon: null, detail: `native addon failed to load (${msg}); ${howTo}` };
  } finally {
    for (const k of Object.keys(omp)) delete process.env[k];
  }
  return cached;
}
