import { existsSync } from 'node:fs';
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
  // libgomp's threads spin ~300k iterations at every barrier by default; on a busy 2-core machine the spinning thread
  // steals the core the other needs and kernels run 5–10× slower (measured: BN+SiLU 3 ms → 30–70 ms under load).
  // Spin briefly, then sleep. Read when libgomp loads with the addon; the user's own setting wins.
  if (process.env['GOMP_SPINCOUNT'] === undefined && process.env['OMP_WAIT_POLICY'] === undefined) process.env['GOMP_SPINCOUNT'] = '10000';
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    const t = addon.threads();
    cached = { addon, detail: `oneDNN ${addon.dnnlVersion()}, ${t} thread${t === 1 ? '' : 's'}` };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    cached = { addon: null, detail: `native addon failed to load (${msg}); ${howTo}` };
  }
  return cached;
}
