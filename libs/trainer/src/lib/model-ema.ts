import * as tf from '@tensorflow/tfjs-core';

export interface ModelEmaOptions {
  /** final decay (0.9999) */
  decay?: number;
  /** ramp time constant in updates (2000) */
  tau?: number;
  /** updates already done (resume) */
  updates?: number;
}

/** The EMA decay after `updates` updates: decay·(1 − exp(−updates/tau)) (ModelEMA's ramp, to help early epochs). */
export function emaDecay(updates: number, decay = 0.9999, tau = 2000): number {
  return decay * (1 - Math.exp(-updates / tau));
}

/**
 * Exponential moving average of a model's whole float state — parameters and buffers such as BatchNorm running mean /
 * variance — as the original's `ModelEMA` (utils/torch_utils.py): on each {@link update}, updates += 1,
 * d = decay·(1 − exp(−updates/2000)), ema = ema·d + (1 − d)·model for every float32 entry (others are skipped, as
 * ModelEMA skips non-floating tensors such as `num_batches_tracked`).
 *
 * The EMA copies are tf.Variables owned by this object ({@link dispose}).
 */
export class ModelEma {
  updates: number;
  readonly decay: number;
  readonly tau: number;
  private readonly vars = new Map<string, tf.Variable>();

  /** @param state the model's named state at creation (copied), e.g. `{ 'model.0.conv.weight': t, … }` */
  constructor(state: tf.NamedTensorMap, opts: ModelEmaOptions = {}) {
    this.decay = opts.decay ?? 0.9999;
    this.tau = opts.tau ?? 2000;
    this.updates = opts.updates ?? 0;
    for (const [k, t] of Object.entries(state)) {
      this.vars.set(k, tf.variable(t, false, undefined, t.dtype));
    }
  }

  /** Current decay for the next update's counter value. */
  decayAt(updates: number): number {
    return emaDecay(updates, this.decay, this.tau);
  }

  /**
   * One EMA step toward `state` (same keys and shapes as at construction). Returns the decay used.
   * Mirrors `v *= d; v += (1 − d)·msd[k]` in float32.
   */
  update(state: tf.NamedTensorMap): number {
    this.updates += 1;
    const d = this.decayAt(this.updates);
    tf.tidy(() => {
      const dS = tf.scalar(d);
      const oneMinusD = tf.scalar(1 - d);
      for (const [k, v] of this.vars) {
        if (v.dtype !== 'float32') continue;
        const m = state[k];
        if (!m) throw new RangeError(`ModelEma.update: model state has no entry ${k}`);
        if (!tf.util.arraysEqual(m.shape, v.shape)) throw new RangeError(`ModelEma.update: ${k} has shape [${m.shape}] but the EMA has [${v.shape}]`);
        v.assign(tf.add(tf.mul(v, dS), tf.mul(m, oneMinusD)));
      }
    });
    return d;
  }

  /** The EMA state (the variables themselves: read-only for callers, owned by the EMA). */
  get state(): tf.NamedTensorMap {
    return Object.fromEntries(this.vars);
  }

  /** Overwrites the EMA state (resume); keys must match. */
  setState(state: tf.NamedTensorMap, updates: number): void {
    for (const [k, v] of this.vars) {
      const t = state[k];
      if (!t) throw new RangeError(`ModelEma.setState: missing entry ${k}`);
      v.assign(t);
    }
    this.updates = updates;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
