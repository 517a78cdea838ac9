import { VigilUserError } from '@vigil/core';
import { convUnitsOf, modelElementCount } from './model.js';
import type { ResolvedSpec } from './spec.js';

/**
 * Peak memory of a training step / an inference batch, estimated from the spec, image size and batch before any
 * work starts, so that a run that cannot fit stops with one line instead of a wasm `Aborted()` after set-up.
 *
 * Model: bytes = BASE + 4 · (kParams · model values + kAct · batch · activation values per image), where activation
 * values = every conv unit's output plus every other layer's output at the layer's stride (img² / stride² · channels).
 * The coefficients were fitted to the wasm heap measured after real steps (tools/bench/train-memory.ts, accel backend:
 * fit(): forward, loss, backward, SGD with momentum, EMA, gradient accumulation); the estimate errs on the high side.
 */

/**
 * The largest wasm heap of tfjs-backend-wasm (and so of the accel backend, which computes in it): 4 GiB − 48 MiB, the
 * size at which `WebAssembly.Memory.grow` of its module fails (measured).
 */
export const WASM32_HEAP_BYTES = 4_244_635_648;

/**
 * Coefficients fitted by least squares to the measured heaps (src/lib/fixtures/memory-peaks.jsonl: within 2.5 % for
 * training but for the smallest run), then rounded up so that the estimate is at or above every measurement.
 */
const TRAIN = { base: 48 * 1024 ** 2, kParams: 4.1, kAct: 4.7 }; // fit: 48 MiB, 3.95, 4.47
const PREDICT = { base: 64 * 1024 ** 2, kParams: 1, kAct: 1.5 }; // fit: 48 MiB, 0.69, 1.42 (within 7 %)

export interface MemoryEstimate {
  /** Estimated peak bytes. */
  bytes: number;
  /** Model values (weights, BN statistics, Detect). */
  modelValues: number;
  /** Activation values of one image at this size. */
  activationValues: number;
}

/** Activation values of one `img`×`img` image: conv unit outputs and other layers' outputs, each at its stride. */
export function activationValues(spec: ResolvedSpec, img: number): number {
  let n = 0;
  for (const layer of spec.layers) {
    const cells = Math.ceil(img / layer.stride) ** 2;
    const units = convUnitsOf(layer);
    if (units.length) for (const u of units) n += cells * u.cout;
    else if (layer.module === 'Detect') for (const [j, cin] of (layer.detectChannels ?? []).entries()) n += Math.ceil(img / spec.strides[j]!) ** 2 * (cin + spec.na * spec.no);
    else n += cells * layer.c2;
  }
  return n;
}

function estimate(k: typeof TRAIN, spec: ResolvedSpec, img: number, batch: number): MemoryEstimate {
  const modelValues = modelElementCount(spec);
  const act = activationValues(spec, img);
  return { bytes: k.base + 4 * (k.kParams * modelValues + k.kAct * batch * act), modelValues, activationValues: act };
}

/** Peak memory of a training step (forward, loss, backward, optimiser, EMA) at `img` × `img`, `batch` images. */
export function estimateTrainMemory(spec: ResolvedSpec, o: { img: number; batch: number }): MemoryEstimate {
  return estimate(TRAIN, spec, o.img, o.batch);
}

/** Peak memory of inference (eval forward, no gradients) at `img` × `img`, `batch` images. */
export function estimatePredictMemory(spec: ResolvedSpec, o: { img: number; batch: number }): MemoryEstimate {
  return estimate(PREDICT, spec, o.img, o.batch);
}

/** Backends whose tensors live in the wasm32 heap: @vigil/runtime's kinds `accel` and `wasm` (tfjs name: `wasm`). */
export const WASM_HEAP_BACKENDS: readonly string[] = ['accel', 'wasm'];

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;

/**
 * Stops with one line when the estimate exceeds the backend's heap (only on the wasm-heap backends), naming the limit
 * and what fits: the largest --batch at this size, the largest --img (multiple of `imgStep`) at this batch, or a
 * backend without the limit.
 */
export function checkMemoryFits(
  spec: ResolvedSpec,
  o: { img: number; batch: number; mode: 'train' | 'predict'; backend: string; what: string; imgStep?: number; limit?: number; flags?: { img: string; batch: string } },
): MemoryEstimate {
  const F = o.flags ?? { img: '--img', batch: '--batch' };
  const est = o.mode === 'train' ? estimateTrainMemory : estimatePredictMemory;
  const e = est(spec, o);
  const limit = o.limit ?? WASM32_HEAP_BYTES;
  if (!WASM_HEAP_BACKENDS.includes(o.backend) || e.bytes <= limit) return e;
  const fits = (img: number, batch: number) => est(spec, { img, batch }).bytes <= limit;
  const step = o.imgStep ?? 64;
  const options: string[] = [];
  let b = o.batch - 1;
  while (b >= 1 && !fits(o.img, b)) b--;
  if (b >= 1) options.push(`${F.batch} ${b} at ${F.img} ${o.img}`);
  let img = Math.floor((o.img - 1) / step) * step;
  while (img >= step && !fits(img, o.batch)) img -= step;
  if (img >= step) options.push(`${F.img} ${img} at ${F.batch} ${o.batch}`);
  const fitsHere = options.length ? `what fits: ${options.join(' or ')}, ` : `no ${F.img} / ${F.batch} of this model fits, `;
  throw new VigilUserError(
    `${o.what} at ${F.img} ${o.img} ${F.batch} ${o.batch} needs about ${gib(e.bytes)} ${o.mode === 'train' ? 'to train' : 'for inference'}, more than the ${o.backend} backend's ${gib(limit)} wasm32 heap; ${fitsHere}or a backend without that limit (--backend tensorflow: npm install @tensorflow/tfjs-node)`,
  );
}
