/** What {@link BestFitness} keeps across a resume (stored in the training checkpoint's state). */
export interface BestFitnessState {
  /** best fitness so far (0 before the first validation, as the original's `best_fitness = 0.0`) */
  bestFitness: number;
  /** epoch of the best checkpoint (strict improvement); -1 before the first validation */
  bestEpoch: number;
  /** epoch the early stopper counts from (upstream: last epoch with fitness ≥ its best, ties included); -1 before */
  stopperEpoch: number;
}

/** The decision for one validated epoch. */
export interface BestFitnessUpdate {
  /** this epoch's weights become best.vckpt */
  isBest: boolean;
  /** no improvement for `patience` epochs: the loop stops after this epoch */
  stop: boolean;
  /** epochs since the stopper's last improvement */
  epochsWithoutImprovement: number;
}

/**
 * Best-checkpoint selection and early stopping over validated epochs.
 *
 * Best: the first validated epoch, then every epoch whose fitness is strictly greater than the best so far (the
 * original's `if fi > best_fitness`; ties keep the earlier checkpoint, as Vigil always did).
 * Early stopping follows upstream YOLOv5's `EarlyStopping` (utils/torch_utils.py): its best epoch moves on
 * `fitness >= best` (ties too), and training stops once `epoch - best_epoch >= patience`; `patience` 0 or
 * `Infinity` never stops. Only validated epochs are fed in, so with `--val-period N` the count is still in epochs.
 */
export class BestFitness {
  readonly patience: number;
  private s: BestFitnessState;

  constructor(patience: number, state?: BestFitnessState) {
    if (!(patience >= 0)) throw new RangeError(`patience must be ≥ 0, got ${patience}`);
    this.patience = patience === 0 ? Infinity : patience;
    this.s = state ? { ...state } : { bestFitness: 0, bestEpoch: -1, stopperEpoch: -1 };
  }

  get state(): BestFitnessState {
    return { ...this.s };
  }

  get bestFitness(): number {
    return this.s.bestFitness;
  }

  get bestEpoch(): number {
    return this.s.bestEpoch;
  }

  /** Feeds one validated epoch's fitness. */
  update(epoch: number, fitness: number): BestFitnessUpdate {
    const s = this.s;
    const isBest = s.bestEpoch < 0 || fitness > s.bestFitness;
    if (isBest) s.bestEpoch = epoch;
    if (fitness >= s.bestFitness || s.stopperEpoch < 0) s.stopperEpoch = epoch;
    if (fitness > s.bestFitness) s.bestFitness = fitness;
    const epochsWithoutImprovement = epoch - s.stopperEpoch;
    return { isBest, stop: epochsWithoutImprovement >= this.patience, epochsWithoutImprovement };
  }
}
