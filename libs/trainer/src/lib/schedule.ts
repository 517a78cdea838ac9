import { roundHalfEven } from '@vigil/core';
import type { Hyp } from './hyp.js';

/** Nominal batch size of the original (train.py `nbs`). */
export const NOMINAL_BATCH = 64;

/**
 * `np.interp(x, [x0, x1], [y0, y1])` with numpy's exact arithmetic: clamps outside [x0, x1], returns y0 / y1 exactly at
 * the ends and slope·(x − x0) + y0 in between.
 */
export function npInterp(x: number, xp: readonly [number, number], fp: readonly [number, number]): number {
  const [x0, x1] = xp;
  const [y0, y1] = fp;
  if (x <= x0) return y0;
  if (x >= x1) return y1;
  const slope = (y1 - y0) / (x1 - x0);
  return slope * (x - x0) + y0;
}

/** `one_cycle(y1, y2, steps)` of the original (utils/general.py): sinusoidal ramp from y1 to y2 over `steps`. */
export function oneCycle(y1 = 0.0, y2 = 1.0, steps = 100): (x: number) => number {
  return (x) => ((1 - Math.cos((x * Math.PI) / steps)) / 2) * (y2 - y1) + y1;
}

/**
 * The LR multiplier per epoch `lf(epoch)` of train.py: one-cycle cosine 1 → lrf (default), or linear with `--linear-lr`.
 */
export function lrLambda(lrf: number, epochs: number, linear = false): (epoch: number) => number {
  return linear ? (x) => (1 - x / (epochs - 1)) * (1.0 - lrf) + lrf : oneCycle(1, lrf, epochs);
}

/** `accumulate = max(round(nbs / batch), 1)`: optimizer steps every `accumulate` batches (≈ 64 images per step). */
export function nominalAccumulate(batch: number, nbs = NOMINAL_BATCH): number {
  return Math.max(roundHalfEven(nbs / batch), 1);
}

/** `hyp['weight_decay'] *= batch · accumulate / nbs` (train.py). */
export function scaleWeightDecay(weightDecay: number, batch: number, nbs = NOMINAL_BATCH): number {
  return weightDecay * ((batch * nominalAccumulate(batch, nbs)) / nbs);
}

/**
 * Number of warmup iterations: `max(round(warmup_epochs · nb), minIters)`. The seed uses minIters = 1000 (the
 * default here); upstream YOLOv5 later lowered it to 100.
 */
export function warmupIterations(warmupEpochs: number, batchesPerEpoch: number, minIters = 1000): number {
  return Math.max(roundHalfEven(warmupEpochs * batchesPerEpoch), minIters);
}

export interface TrainScheduleConfig {
  hyp: Pick<Hyp, 'lr0' | 'lrf' | 'momentum' | 'warmup_epochs' | 'warmup_momentum' | 'warmup_bias_lr'>;
  /** total epochs of the run (for the LR lambda) */
  epochs: number;
  /** batches per epoch (`nb = len(dataloader)`) */
  batchesPerEpoch: number;
  /** total batch size */
  batch: number;
  /** `--linear-lr` */
  linearLr?: boolean;
  /** Adam / AdamW: the original only warms up groups that have a 'momentum' key, i.e. SGD (beta1 stays fixed) */
  adam?: boolean;
  /** nominal batch size, 64 */
  nbs?: number;
  /** minimum warmup iterations: 1000 in the seed, 100 in later upstream */
  warmupMinIters?: number;
}

/** Serialisable state of a {@link TrainSchedule} (for checkpoints / resume). */
export interface TrainScheduleState {
  lr: [number, number, number];
  momentum: number;
  accumulate: number;
  lastEpoch: number;
}

/**
 * Per-iteration learning rates (3 parameter groups: 0 = BN weights, 1 = other weights with decay, 2 = biases),
 * momentum and gradient accumulation, exactly as train.py's loop sets them:
 *
 * - construction = `LambdaLR(optimizer, lf)`: lr of every group = lr0 · lf(0);
 * - {@link beginIteration}(ni, epoch) at the start of each batch (ni = i + nb·epoch): while ni ≤ nw, accumulate =
 *   max(1, round(interp(ni, [0, nw], [1, nbs/bs]))), group lr = interp(ni, [0, nw], [warmup_bias_lr for biases else 0,
 *   lr0 · lf(epoch)]) and (SGD only) momentum = interp(ni, [0, nw], [warmup_momentum, momentum]); after warmup they
 *   keep their last values;
 * - {@link isStepIteration}(ni): `ni % accumulate == 0`;
 * - {@link endEpoch}() = `scheduler.step()`: last_epoch += 1, lr of every group = lr0 · lf(last_epoch). train.py sets
 *   last_epoch = start_epoch − 1, so after warmup epoch e ≥ 1 runs at lr0 · lf(e − 1) — the original's behaviour.
 */
export class TrainSchedule {
  readonly nw: number;
  readonly nbs: number;
  readonly lf: (epoch: number) => number;
  private readonly cfg: TrainScheduleConfig;
  /** current lr of groups 0 (BN weights), 1 (weights), 2 (biases) */
  lr: [number, number, number];
  /** current SGD momentum (Adam: beta1, constant) */
  momentum: number;
  /** current number of batches per optimizer step */
  accumulate: number;
  /** LambdaLR's last_epoch */
  lastEpoch: number;

  constructor(cfg: TrainScheduleConfig, startEpoch = 0) {
    if (!(cfg.epochs >= 1) || !(cfg.batchesPerEpoch >= 1) || !(cfg.batch >= 1)) {
      throw new RangeError(`TrainSchedule: epochs, batchesPerEpoch and batch must be ≥ 1 (got ${cfg.epochs}, ${cfg.batchesPerEpoch}, ${cfg.batch})`);
    }
    this.cfg = cfg;
    this.nbs = cfg.nbs ?? NOMINAL_BATCH;
    this.lf = lrLambda(cfg.hyp.lrf, cfg.epochs, cfg.linearLr);
    this.nw = warmupIterations(cfg.hyp.warmup_epochs, cfg.batchesPerEpoch, cfg.warmupMinIters ?? 1000);
    this.accumulate = nominalAccumulate(cfg.batch, this.nbs);
    this.momentum = cfg.hyp.momentum;
    // LambdaLR's constructor steps once (last_epoch 0); train.py then sets last_epoch = start_epoch − 1 without
    // changing the lr (a resumed run restores the lr from the optimizer state).
    const lr0 = cfg.hyp.lr0 * this.lf(0);
    this.lr = [lr0, lr0, lr0];
    this.lastEpoch = startEpoch - 1;
  }

  /** Warmup of lr / momentum / accumulate for integrated batch `ni` in `epoch` (train.py, before the forward). */
  beginIteration(ni: number, epoch: number): void {
    if (ni > this.nw) return;
    const xi: [number, number] = [0, this.nw];
    const h = this.cfg.hyp;
    this.accumulate = Math.max(1, roundHalfEven(npInterp(ni, xi, [1, this.nbs / this.cfg.batch])));
    const target = h.lr0 * this.lf(epoch);
    this.lr = [npInterp(ni, xi, [0.0, target]), npInterp(ni, xi, [0.0, target]), npInterp(ni, xi, [h.warmup_bias_lr, target])];
    if (!this.cfg.adam) this.momentum = npInterp(ni, xi, [h.warmup_momentum, h.momentum]);
  }

  /** Whether the optimizer steps after the backward pass of batch `ni` (`ni % accumulate == 0`). */
  isStepIteration(ni: number): boolean {
    return ni % this.accumulate === 0;
  }

  /** `scheduler.step()` at the end of an epoch: last_epoch += 1, lr = lr0 · lf(last_epoch) for every group. */
  endEpoch(): void {
    this.lastEpoch += 1;
    const lr = this.cfg.hyp.lr0 * this.lf(this.lastEpoch);
    this.lr = [lr, lr, lr];
  }

  getState(): TrainScheduleState {
    return { lr: [...this.lr], momentum: this.momentum, accumulate: this.accumulate, lastEpoch: this.lastEpoch };
  }

  setState(s: TrainScheduleState): void {
    this.lr = [...s.lr];
    this.momentum = s.momentum;
    this.accumulate = s.accumulate;
    this.lastEpoch = s.lastEpoch;
  }
}
