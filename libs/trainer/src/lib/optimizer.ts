import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { SGD_STEP, type SgdStepAttrs, type SgdStepInputs } from '@vigil/core';

/** Optimizer kinds: the original's SGD (Nesterov) and `--adam`; AdamW (decoupled decay) as an option. */
export type OptimizerKind = 'sgd' | 'adam' | 'adamw';

/** The original's three parameter groups, in its order: 0 = BN weights (no decay), 1 = other weights (decay), 2 = biases (no decay). */
export type ParamGroupKind = 'bn' | 'weight' | 'bias';
export const PARAM_GROUP_ORDER: readonly ParamGroupKind[] = ['bn', 'weight', 'bias'];

export interface OptimizerOptions {
  kind?: OptimizerKind;
  /** initial lr of every group (hyp lr0); the training schedule overwrites it per iteration */
  lr: number;
  /** SGD momentum / Adam beta1 (hyp momentum) */
  momentum: number;
  /** weight decay of group 1 (already scaled by batch·accumulate/64) */
  weightDecay: number;
  /** SGD Nesterov momentum (the original: true) */
  nesterov?: boolean;
  /** Adam beta2 (the original: 0.999) */
  beta2?: number;
  /** Adam eps (torch default 1e-8) */
  eps?: number;
}

/** Serialisable optimizer state (typed arrays keyed by variable name), for checkpoints. */
export interface OptimizerState {
  kind: OptimizerKind;
  lr: number[];
  momentum: number;
  /** number of optimizer steps taken per parameter (Adam bias correction; SGD: whether a momentum buffer exists) */
  steps: Record<string, number>;
  /** SGD momentum_buffer / Adam exp_avg */
  buf1: Record<string, Float32Array>;
  /** Adam exp_avg_sq */
  buf2: Record<string, Float32Array>;
}

/**
 * Default classifier following the original's grouping on PyTorch-style names: a `…bias` is a bias (group 2, also
 * BN β); a `…bn.weight` / BatchNorm γ (`gamma`) is a BN weight (group 0); any other `…weight` / kernel is a weight
 * with decay (group 1).
 */
export function classifyParam(name: string): ParamGroupKind {
  const n = name.toLowerCase();
  if (/(^|[./_])(bias|beta)(:\d+)?$/.test(n)) return 'bias';
  if (/(^|[./_])gamma(:\d+)?$/.test(n) || /(^|[./_])bn[./_]weight(:\d+)?$/.test(n)) return 'bn';
  return 'weight';
}

interface Slot {
  variable: tf.Variable;
  group: number;
  steps: number;
  buf1?: tf.Variable;
  buf2?: tf.Variable;
}

/**
 * SGD with momentum (Nesterov) / Adam / AdamW over the original's three parameter groups, with per-group learning
 * rates and a settable momentum (tfjs's MomentumOptimizer has neither; its setMomentum is a no-op). Arithmetic follows
 * torch.optim (1.8–1.13 single-tensor path):
 *
 * - SGD: d = g + wd·p; buf = d on the first step, else buf = momentum·buf + d; d = d + momentum·buf (Nesterov) or buf;
 *   p −= lr·d.
 * - Adam: g += wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr/(1−β1^t) · m / (√v/√(1−β2^t) + eps).
 * - AdamW: p ·= 1 − lr·wd, then Adam without the L2 term.
 *
 * Parameters without a gradient in a step (frozen layers) are skipped, as PyTorch skips `grad is None`.
 * Updates are in-place `assign`s inside `tf.tidy`; state buffers are tf.Variables owned by the optimizer
 * ({@link dispose} frees them).
 */
/**
 * The fused SGD update of one parameter (after its first step, when the momentum buffer exists) through @vigil/core's
 * `SGD_STEP` kernel, when the active backend registers one (@vigil/cpu-accel does on `wasm`): the new param and
 * momentum buffer with the same values as {@link GroupedOptimizer}'s ops, in one kernel instead of ~9 ops. `undefined`
 * when no kernel is registered (the caller runs its ops).
 */
function sgdStepKernel(param: tf.Tensor, grad: tf.Tensor, buf: tf.Tensor, attrs: SgdStepAttrs): [tf.Tensor, tf.Tensor] | undefined {
  const b = tf.getBackend();
  if (b === undefined || !tf.getKernel(SGD_STEP, b)) return undefined;
  return tf.engine().runKernel(SGD_STEP, { param, grad, buf } satisfies SgdStepInputs<tf.Tensor>, attrs as unknown as NamedAttrMap) as [tf.Tensor, tf.Tensor];
}

export class GroupedOptimizer {
  readonly kind: OptimizerKind;
  /** lr per group (0 BN weights, 1 weights, 2 biases) */
  lr: [number, number, number];
  /** SGD momentum / Adam beta1 */
  momentum: number;
  /** weight decay per group: [0, weightDecay, 0] */
  readonly weightDecay: [number, number, number];
  readonly nesterov: boolean;
  readonly beta2: number;
  readonly eps: number;
  private readonly slots = new Map<string, Slot>();

  /**
   * @param params the trainable variables; `classify` assigns each to a group by name (default {@link classifyParam}).
   */
  constructor(params: readonly tf.Variable[], opts: OptimizerOptions, classify: (name: string) => ParamGroupKind = classifyParam) {
    this.kind = opts.kind ?? 'sgd';
    this.lr = [opts.lr, opts.lr, opts.lr];
    this.momentum = opts.momentum;
    this.weightDecay = [0, opts.weightDecay, 0];
    this.nesterov = opts.nesterov ?? true;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    for (const v of params) {
      if (this.slots.has(v.name)) throw new RangeError(`GroupedOptimizer: duplicate variable name ${v.name}`);
      if (v.dtype !== 'float32') throw new RangeError(`GroupedOptimizer: ${v.name} is ${v.dtype}, only float32 parameters can be optimised`);
      this.slots.set(v.name, { variable: v, group: PARAM_GROUP_ORDER.indexOf(classify(v.name)), steps: 0 });
    }
  }

  /** Names of the variables of group `g` (0 BN weights, 1 weights, 2 biases), in construction order. */
  groupNames(g: number): string[] {
    return [...this.slots.entries()].filter(([, s]) => s.group === g).map(([k]) => k);
  }

  /** Sets lr per group and momentum (e.g. from a TrainSchedule each iteration). */
  setHyper(lr: readonly [number, number, number], momentum: number): void {
    this.lr = [lr[0], lr[1], lr[2]];
    this.momentum = momentum;
  }

  /**
   * One optimizer step with the given gradients (keyed by variable name, e.g. from `tf.variableGrads` or a
   * {@link GradientAccumulator}). Gradients are not disposed.
   */
  step(grads: tf.NamedTensorMap): void {
    for (const [name, g] of Object.entries(grads)) {
      const slot = this.slots.get(name);
      if (!slot) throw new RangeError(`GroupedOptimizer.step: gradient for unknown variable ${name}`);
      if (this.kind === 'sgd') this.sgdStep(slot, g);
      else this.adamStep(slot, g);
      slot.steps += 1;
    }
  }

  private sgdStep(s: Slot, g: tf.Tensor): void {
    const lr = this.lr[s.group]!;
    const wd = this.weightDecay[s.group]!;
    const mom = this.momentum;
    tf.tidy(() => {
      const p = s.variable;
      const r = mom !== 0 && s.buf1 ? sgdStepKernel(p, g, s.buf1, { lr, weightDecay: wd, momentum: mom, nesterov: this.nesterov }) : undefined;
      if (r) {
        s.buf1!.assign(r[1]);
        p.assign(r[0]);
        return;
      }
      let d = wd !== 0 ? tf.add(g, tf.mul(p, tf.scalar(wd))) : g;
      if (mom !== 0) {
        if (!s.buf1) {
          s.buf1 = tf.variable(tf.clone(d), false);
        } else {
          s.buf1.assign(tf.add(tf.mul(s.buf1, tf.scalar(mom)), d));
        }
        d = this.nesterov ? tf.add(d, tf.mul(s.buf1, tf.scalar(mom))) : s.buf1;
      }
      p.assign(tf.sub(p, tf.mul(d, tf.scalar(lr))));
    });
  }

  private adamStep(s: Slot, g: tf.Tensor): void {
    const lr = this.lr[s.group]!;
    const wd = this.weightDecay[s.group]!;
    const b1 = this.momentum;
    const b2 = this.beta2;
    const t = s.steps + 1;
    tf.tidy(() => {
      const p = s.variable;
      if (!s.buf1) s.buf1 = tf.variable(tf.zerosLike(p), false);
      if (!s.buf2) s.buf2 = tf.variable(tf.zerosLike(p), false);
      let grad = g;
      if (wd !== 0) {
        if (this.kind === 'adamw') p.assign(tf.mul(p, tf.scalar(1 - lr * wd)));
        else grad = tf.add(grad, tf.mul(p, tf.scalar(wd)));
      }
      s.buf1.assign(tf.add(tf.mul(s.buf1, tf.scalar(b1)), tf.mul(grad, tf.scalar(1 - b1))));
      s.buf2.assign(tf.add(tf.mul(s.buf2, tf.scalar(b2)), tf.mul(tf.mul(grad, grad), tf.scalar(1 - b2))));
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      const stepSize = lr / bc1;
      const denom = tf.add(tf.div(tf.sqrt(s.buf2), tf.scalar(Math.sqrt(bc2))), tf.scalar(this.eps));
      p.assign(tf.add(p, tf.mul(tf.div(s.buf1, denom), tf.scalar(-stepSize))));
    });
  }

  /** The state for a checkpoint (reads the buffers). */
  async getState(): Promise<OptimizerState> {
    const state: OptimizerState = { kind: this.kind, lr: [...this.lr], momentum: this.momentum, steps: {}, buf1: {}, buf2: {} };
    for (const [name, s] of this.slots) {
      state.steps[name] = s.steps;
      if (s.buf1) state.buf1[name] = (await s.buf1.data()) as Float32Array;
      if (s.buf2) state.buf2[name] = (await s.buf2.data()) as Float32Array;
    }
    return state;
  }

  /** Restores {@link getState}'s result (same variables by name; buffers are copied). */
  setState(state: OptimizerState): void {
    if (state.kind !== this.kind) throw new RangeError(`optimizer state is for ${state.kind}, this optimizer is ${this.kind}`);
    this.lr = [state.lr[0]!, state.lr[1]!, state.lr[2]!];
    this.momentum = state.momentum;
    for (const [name, s] of this.slots) {
      s.steps = state.steps[name] ?? 0;
      s.buf1 = restore(s.buf1, state.buf1[name], s.variable.shape);
      s.buf2 = restore(s.buf2, state.buf2[name], s.variable.shape);
    }
  }

  /** Frees the state buffers (not the parameters). */
  dispose(): void {
    for (const s of this.slots.values()) {
      s.buf1?.dispose();
      s.buf2?.dispose();
      s.buf1 = undefined;
      s.buf2 = undefined;
    }
  }
}

function restore(cur: tf.Variable | undefined, data: Float32Array | undefined, shape: number[]): tf.Variable | undefined {
  if (!data) {
    cur?.dispose();
    return undefined;
  }
  const t = tf.tensor(data, shape, 'float32');
  if (cur) {
    cur.assign(t);
    t.dispose();
    return cur;
  }
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}

/**
 * Sums gradients over `accumulate` batches (PyTorch accumulates `.grad` across backward passes until `zero_grad`).
 * Owns its buffers; {@link zero} frees them.
 */
export class GradientAccumulator {
  private sums = new Map<string, tf.Tensor>();

  /** Adds gradients (not disposed: the caller still owns `grads`). */
  add(grads: tf.NamedTensorMap): void {
    for (const [name, g] of Object.entries(grads)) {
      const prev = this.sums.get(name);
      this.sums.set(name, prev ? tf.tidy(() => tf.add(prev, g)) : tf.clone(g));
      prev?.dispose();
    }
  }

  /** The accumulated gradients (owned by the accumulator until {@link zero}). */
  get grads(): tf.NamedTensorMap {
    return Object.fromEntries(this.sums);
  }

  get size(): number {
    return this.sums.size;
  }

  /** `optimizer.zero_grad()`: frees and forgets the sums. */
  zero(): void {
    for (const t of this.sums.values()) t.dispose();
    this.sums.clear();
  }
}

/**
 * `torch.nn.utils.clip_grad_norm_(params, maxNorm)`: scales all gradients by min(1, maxNorm / (‖g‖₂ + 1e-6)) where
 * ‖g‖₂ is the global norm. Returns new tensors (caller disposes) and the total norm before clipping.
 */
export function clipGradNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; totalNorm: number } {
  const names = Object.keys(grads);
  if (names.length === 0) return { grads: {}, totalNorm: 0 };
  const total = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))).dataSync()[0]!);
  const coef = Math.min(1, maxNorm / (total + 1e-6));
  const out: tf.NamedTensorMap = {};
  for (const n of names) out[n] = tf.tidy(() => tf.mul(grads[n]!, tf.scalar(coef)));
  return { grads: out, totalNorm: total };
}
