import type { Metrics } from '@vigil/evaluator';
import type { YoloModel } from '@vigil/yolov5';

/**
 * One training batch, as the data lib produces it (the trainer does not import it: the app adapts its loader).
 * `images` `[B, H, W, 3]` float32 0–1 NHWC; `targets` `[n, 6]` row-major = image index, class, cx, cy, w, h
 * normalised to the batch's W, H.
 */
export interface TrainBatch {
  /** `[B,H,W,3]` float32 0–1 NHWC; the loop is done with it once it asks for the next batch (a source may recycle it). */
  images: Float32Array;
  shape: [number, number, number, number];
  targets: Float32Array;
  numTargets: number;
  /** source files (for the batch pictures), optional */
  files?: readonly string[];
}

/** The batches of one epoch: `count` is known before the first batch (the progress bar's total, the warmup's nb). */
export interface EpochBatches {
  count: number;
  batches: AsyncIterable<TrainBatch>;
}

/**
 * Where the loop's batches come from. `epoch(e, seed)` must be a pure function of (e, seed) — the loop draws `seed`
 * from its own seeded generator, whose state is in every checkpoint — so a resumed run sees the same batches as an
 * uninterrupted one. The app implements it with the epoch_parts sampler, the loader and the augmentations.
 */
export interface TrainBatchSource {
  /** batches per epoch (`nb = len(dataloader)`; constant over the run, as in the original) */
  readonly batchesPerEpoch: number;
  epoch(epoch: number, seed: number): EpochBatches;
}

/** What a validation pass returns. */
export interface ValidationResult {
  metrics: Metrics;
  /** anything else the caller wants to keep (confusion matrix, plots…) */
  extra?: unknown;
}

/** Runs validation on a model holding the EMA weights (the original's `test.test(model=ema.ema)`). */
export type ValidateFn = (model: YoloModel, info: { epoch: number; final: boolean }) => Promise<ValidationResult>;
