import * as tf from '@tensorflow/tfjs-core';
import { createCpuAccelerator, patchCpuBackend, type CpuAccelerator } from '@vigil/cpu-accel';
import { VigilUserError } from '@vigil/core';
import { activateWebGpu } from '@vigil/webgpu';

/** Backend choices, fastest first. `auto` tries them in this order. */
export const BACKEND_ORDER = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'accel', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_ORDER)[number];
export type BackendPreference = BackendKind | 'auto';

/** Environment variable that overrides the backend choice (same values as `--backend`). */
export const BACKEND_ENV = 'VIGIL_BACKEND';

/** Help text of the apps' `--backend` flag: the choices and the default. */
export const BACKEND_HELP = `tfjs backend: auto, ${BACKEND_ORDER.join(', ')} (default: env ${BACKEND_ENV}, else auto)`;

/** What {@link initBackend} chose and why. */
export interface BackendChoice {
  /** Our name of the path taken. */
  kind: BackendKind;
  /** tfjs's name of the active backend (`tf.getBackend()`). */
  tfBackend: string;
  /** Why this one: what was tried before it and how that failed. */
  reason: string;
}

export interface InitBackendOptions {
  /** `auto` (default: the `VIGIL_BACKEND` env var, else auto) or one backend to use (fails if unavailable). */
  prefer?: string;
  /** Receives the one-line report; default prints to stderr. `false` = silent. */
  log?: ((line: string) => void) | false;
  /** Environment to read `VIGIL_BACKEND` from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * The accelerated-CPU provider (@vigil/cpu-accel's `CpuAccelerator`) used for the `accel` choice: by default
 * @vigil/cpu-accel's (wasm + native oneDNN kernels when its addon is built, else portable kernels); replace it with
 * {@link setCpuAccelerator} (`undefined` makes `accel` unavailable).
 */
let accelerator: CpuAccelerator | undefined = createCpuAccelerator();

/** Installs the accelerated-CPU provider used for the `accel` choice (`undefined`: none). */
export function setCpuAccelerator(a: CpuAccelerator | undefined): void {
  accelerator = a;
}

/** `explicit`: this backend was asked for by name (not tried by auto); `env`: the environment initBackend reads. */
type Attempt = (ctx: { explicit: boolean; env: Record<string, string | undefined> }) => Promise<{ tfBackend: string; detail: string }>;

function isModuleNotFound(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

async function importOptional(name: string): Promise<void> {
  // A variable specifier keeps bundlers and tsc from requiring the optional package at build time.
  const spec: string = name;
  await import(spec);
}

function nodeAttempt(pkg: string): Attempt {
  return async () => {
    try {
      await importOptional(pkg);
    } catch (e) {
      throw new Error(isModuleNotFound(e) ? `${pkg} is not installed` : `${pkg} failed to load: ${firstLine(e)}`);
    }
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not initialise`);
    return { tfBackend: 'tensorflow', detail: pkg };
  };
}

const attempts: Record<BackendKind, Attempt> = {
  'tensorflow-gpu': nodeAttempt('@tensorflow/tfjs-node-gpu'),
  // auto takes a software adapter (SwiftShader) only with VIGIL_WEBGPU_ALLOW_SOFTWARE=1; asking by name takes any
  webgpu: async ({ explicit, env }) => {
    const r = await activateWebGpu(explicit ? { allowSoftware: true } : { env });
    return { tfBackend: r.tfBackend, detail: r.description };
  },
  tensorflow: nodeAttempt('@tensorflow/tfjs-node'),
  accel: async () => {
    if (!accelerator) throw new Error('accelerated CPU kernels are not available in this build');
    const r = await accelerator.activate();
    return { tfBackend: r.tfBackend, detail: r.description };
  },
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
    return { tfBackend: 'wasm', detail: 'tfjs wasm backend (XNNPACK, portable)' };
  },
  cpu: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
    // tfjs-backend-cpu prints a multi-line "install the node backend" banner at its first tensor in Node; the choice
    // of backend was made here (tfjs-node is tried first under auto), so the banner is noise.
    (tf.backend() as { firstUse?: boolean }).firstUse = false;
    // tfjs-backend-cpu 4.22.0's ResizeNearestNeighborGrad is wrong for batch > 1; also registers the gradients.
    await patchCpuBackend();
    return { tfBackend: 'cpu', detail: 'stock tfjs cpu backend (slowest; ResizeNearestNeighborGrad fixed)' };
  },
};

/** Parses a backend name from a flag or env var; throws a user error naming the valid values. */
export function parseBackendPreference(value: string | undefined): BackendPreference {
  const v = (value ?? 'auto').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  const alias: Record<string, BackendKind> = { 'node-gpu': 'tensorflow-gpu', node: 'tensorflow', gpu: 'tensorflow-gpu', dawn: 'webgpu' };
  const kind = alias[v] ?? v;
  if ((BACKEND_ORDER as readonly string[]).includes(kind)) return kind as BackendKind;
  throw new VigilUserError(
    `unknown backend "${value}": use one of auto, ${BACKEND_ORDER.join(', ')} (flag --backend or env ${BACKEND_ENV})`,
  );
}

/**
 * Chooses and activates the tfjs backend: tfjs-node-gpu → WebGPU (a hardware adapter) → tfjs-node → accelerated
 * CPU → wasm → cpu, or the one asked for by `prefer` / `VIGIL_BACKEND`. Reports the choice in one line. An explicitly
 * requested backend that cannot start is an error (no silent fallback).
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  const requested = options.prefer ?? env[BACKEND_ENV];
  const pref = parseBackendPreference(requested);
  const order: readonly BackendKind[] = pref === 'auto' ? BACKEND_ORDER : [pref];
  const skipped: string[] = [];
  for (const kind of order) {
    try {
      const r = await attempts[kind]({ explicit: pref !== 'auto', env });
      const why = pref === 'auto' ? (skipped.length ? `auto; ${skipped.join('; ')}` : 'auto; first choice') : `requested${requested === options.prefer ? '' : ` by ${BACKEND_ENV}`}`;
      const choice: BackendChoice = { kind, tfBackend: r.tfBackend, reason: `${r.detail} (${why})` };
      if (options.log !== false) (options.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`[vigil] backend: ${kind} — ${choice.reason}`);
      return choice;
    } catch (e) {
      if (pref !== 'auto') throw new VigilUserError(`backend "${kind}" is not available: ${firstLine(e)}`);
      skipped.push(firstLine(e));
    }
  }
  throw new VigilUserError(`no tfjs backend could start: ${skipped.join('; ')}`);
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!;
}
