import * as tf from '@tensorflow/tfjs-core';
import { Rng, VigilUserError, type Hyp, type RngState } from '@vigil/core';
import { fitness, type Metrics } from '@vigil/evaluator';
import { checkpointFromModel, type CheckpointData, type WeightTensor, type YoloModel } from '@vigil/yolov5';
import { checkAnchors, type AnchorDataset, type CheckAnchorsResult } from './autoanchor.js';
import type { TrainBatch, TrainBatchSource, ValidateFn, ValidationResult } from './batch-source.js';
import { roundToHalf } from './half-precision.js';
import { lossAndGrads } from './loss-grads.js';
import { ModelEma } from './model-ema.js';
import { GradientAccumulator, GroupedOptimizer, clipGradNorm, type OptimizerKind, type OptimizerState, type ParamGroupKind } from './optimizer.js';
import type { ResultsRow } from './results.js';
import { NOMINAL_BATCH, TrainSchedule, scaleWeightDecay, type TrainScheduleState } from './schedule.js';

/** Options of {@link fit}: one training stage (the original's `train(hyp, opt, …)`). */
export interface FitOptions {
  /** the model to train (weights already loaded; trained in place) */
  model: YoloModel;
  hyp: Hyp;
  epochs: number;
  /** total batch size (for the nominal-batch accumulation and weight-decay scaling) */
  batchSize: number;
  /** training image size (the obj loss gain) */
  imgSize: number;
  source: TrainBatchSource;
  /** seed of the loop's generator (per-epoch data seeds, autoanchor) */
  seed: number;
  /** validation on the EMA weights; without it no metrics (fitness 0) */
  validate?: ValidateFn;
  /** validate every N epochs as well as at the end (0 = only at the end) */
  valPeriod?: number;
  optimizer?: OptimizerKind;
  linearLr?: boolean;
  /** nominal batch size (64 in the original) */
  nbs?: number;
  /** minimum warmup iterations (1000 in the seed) */
  warmupMinIters?: number;
  /** clip the global gradient norm before each step (off in the original) */
  clipGradNorm?: number;
  /** layer indices to freeze (the original's `model.N.` prefixes) */
  freeze?: readonly number[];
  /** label sizes for autoanchor (skipped when absent or on resume) */
  anchorData?: AnchorDataset;
  /** `model.half().float()` after autoanchor (the seed does it; default true) */
  halfRound?: boolean;
  /** resume from a checkpoint written by this loop (weights, optimizer, EMA, schedule, epoch, RNG) */
  resume?: CheckpointData;
  hooks?: TrainHooks;
  /** log lines (autoanchor, resume…) */
  log?: (line: string) => void;
}

/** Per-batch information for progress bars. */
export interface BatchEndInfo {
  epoch: number;
  epochs: number;
  /** batch index in the epoch, 0-based */
  i: number;
  nb: number;
  /** integrated batch index since the start */
  ni: number;
  /** running means over the epoch: box, obj, cls, total */
  mloss: Float64Array;
  batch: TrainBatch;
  loss: number;
  stepped: boolean;
}

/** End-of-epoch information; `snapshot()` builds the resumable checkpoint of the state right now. */
export interface EpochEndInfo {
  epoch: number;
  epochs: number;
  final: boolean;
  row: ResultsRow;
  rows: readonly ResultsRow[];
  validation?: ValidationResult;
  fitness?: number;
  bestFitness: number;
  /** whether this epoch's fitness is the best so far (only on validated epochs) */
  isBest: boolean;
  snapshot: () => Promise<CheckpointData>;
  /** a model holding the EMA weights (valid during the hook; do not dispose) */
  emaModel: YoloModel;
}

export interface FitEndInfo {
  rows: readonly ResultsRow[];
  bestFitness: number;
  lastValidation?: ValidationResult;
  /** the EMA weights (the original's strip_optimizer keeps these) — valid during the hook */
  emaModel: YoloModel;
}

/** Where logging, checkpointing and plots plug in: the loop itself only trains, validates and keeps state. */
export interface TrainHooks {
  onFitStart?: (info: { startEpoch: number; epochs: number; nb: number; nw: number; accumulate: number; anchors?: CheckAnchorsResult }) => void | Promise<void>;
  onBatchEnd?: (info: BatchEndInfo) => void | Promise<void>;
  onEpochEnd?: (info: EpochEndInfo) => void | Promise<void>;
  onFitEnd?: (info: FitEndInfo) => void | Promise<void>;
}

export interface FitResult {
  rows: ResultsRow[];
  bestFitness: number;
  lastValidation?: ValidationResult;
  /** final EMA weights (also copied into `model`... no: `model` keeps the raw weights; these are the stripped ones) */
  emaWeights: Map<string, WeightTensor>;
}

/** JSON part of a training checkpoint (tensors of the optimizer and EMA go in the checkpoint's tensor map). */
export interface FitState {
  version: 1;
  /** last completed epoch */
  epoch: number;
  epochs: number;
  bestFitness: number;
  schedule: TrainScheduleState;
  optimizer: { kind: OptimizerKind; lr: number[]; momentum: number; steps: Record<string, number> };
  emaUpdates: number;
  rng: RngState;
  rows: ResultsRow[];
  freeze: number[];
}

const EMA_PREFIX = 'ema/';
const BUF1_PREFIX = 'opt.buf1/';
const BUF2_PREFIX = 'opt.buf2/';

/** Loss is NaN or infinite: the run stops; checkpoints already written stay as they are. */
export class TrainingDivergedError extends VigilUserError {
  constructor(
    message: string,
    readonly epoch: number,
    readonly batch: number,
  ) {
    super(message);
  }
}

function groupOf(model: YoloModel): { vars: tf.Variable[]; kind: Map<string, ParamGroupKind> } {
  const g = model.variableGroups();
  const kind = new Map<string, ParamGroupKind>();
  const vars: tf.Variable[] = [];
  const add = (list: { name: string; variable: tf.Variable }[], k: ParamGroupKind) => {
    for (const { name, variable } of list) {
      kind.set(name, k);
      vars.push(variable);
    }
  };
  add(g.bnWeights, 'bn');
  add(g.weights, 'weight');
  add(g.biases, 'bias');
  return { vars, kind };
}

function modelState(model: YoloModel): tf.NamedTensorMap {
  return Object.fromEntries(model.variables());
}

/**
 * Trains one stage as the original's train.py loop does, per batch: warmup of lr / momentum / accumulate
 * ({@link TrainSchedule}), forward + loss + backward, optimizer step every `accumulate` batches followed by the EMA
 * update; per epoch: scheduler step, validation of the EMA weights (every `valPeriod` epochs and at the end), fitness
 * = mAP@0.75, the results row, hooks. Before the first epoch (not on resume): autoanchor and `model.half().float()`.
 * A non-finite loss stops with {@link TrainingDivergedError} before the optimizer sees it.
 */
export async function fit(opts: FitOptions): Promise<FitResult> {
  const { model, hyp, epochs, source } = opts;
  const log = opts.log ?? (() => undefined);
  const hooks = opts.hooks ?? {};
  const nb = source.batchesPerEpoch;
  const nbs = opts.nbs ?? NOMINAL_BATCH;
  const kindOpt = opts.optimizer ?? 'sgd';
  if (!(epochs >= 1)) throw new VigilUserError(`epochs must be ≥ 1, got ${epochs}`);
  if (nb < 1) throw new VigilUserError('the training set gives no batch per epoch: use a smaller --epoch_parts or more images');

  const rng = new Rng(opts.seed);
  const resumeState = opts.resume?.training?.state as FitState | undefined;
  if (opts.resume && (!resumeState || resumeState.version !== 1)) throw new VigilUserError('the checkpoint holds no training state to resume from (a stripped or foreign checkpoint?)');
  const freeze = resumeState ? resumeState.freeze : [...(opts.freeze ?? [])];
  model.freeze(freeze);

  // the original creates ModelEMA before autoanchor and model.half().float(): its first copy is the unrounded model
  const ema = new ModelEma(modelState(model));
  let anchorsResult: CheckAnchorsResult | undefined;
  if (opts.resume) {
    model.anchors = opts.resume.anchors.map((l) => l.map((a) => [...a]));
    model.setWeights(opts.resume.weights, { source: 'resume checkpoint' });
    rng.setState(resumeState!.rng);
  } else {
    if (opts.anchorData) {
      anchorsResult = checkAnchors(opts.anchorData, { anchorsPx: model.anchorsPx(), strides: model.strides, thr: hyp.anchor_t, imgSize: opts.imgSize, rng });
      anchorsResult.log.forEach((l) => log(l));
      if (anchorsResult.replaced) model.anchors = anchorsResult.anchorsGrid;
    }
    if (opts.halfRound ?? true) halfRoundModel(model);
  }

  const { vars, kind } = groupOf(model);
  const accumulate0 = Math.max(Math.round(nbs / opts.batchSize), 1);
  const optimizer = new GroupedOptimizer(
    vars,
    { kind: kindOpt, lr: hyp.lr0, momentum: hyp.momentum, weightDecay: scaleWeightDecay(hyp.weight_decay, opts.batchSize, nbs) },
    (name) => kind.get(name) ?? 'weight',
  );
  const schedule = new TrainSchedule(
    { hyp, epochs, batchesPerEpoch: nb, batch: opts.batchSize, linearLr: opts.linearLr, adam: kindOpt !== 'sgd', nbs, warmupMinIters: opts.warmupMinIters },
    resumeState ? resumeState.epoch + 1 : 0,
  );
  const emaModel = model.clone();
  const acc = new GradientAccumulator();
  let startEpoch = 0;
  let bestFitness = 0;
  const rows: ResultsRow[] = [];
  if (resumeState) {
    const t = opts.resume!.training!.tensors ?? new Map<string, WeightTensor>();
    const pick = (prefix: string) => {
      const out: Record<string, Float32Array> = {};
      for (const [k, w] of t) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = w.data;
      return out;
    };
    const toTf = (m: Record<string, Float32Array | number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [model.variables().get(k)?.name ?? k, v]));
    optimizer.setState({
      ...resumeState.optimizer,
      steps: toTf(resumeState.optimizer.steps) as Record<string, number>,
      buf1: toTf(pick(BUF1_PREFIX)) as Record<string, Float32Array>,
      buf2: toTf(pick(BUF2_PREFIX)) as Record<string, Float32Array>,
    });
    schedule.setState(resumeState.schedule);
    const emaTensors = tf.tidy(() => {
      const m: tf.NamedTensorMap = {};
      for (const [k, w] of t) if (k.startsWith(EMA_PREFIX)) m[k.slice(EMA_PREFIX.length)] = tf.tensor(w.data, w.shape, 'float32');
      return m;
    });
    ema.setState(emaTensors, resumeState.emaUpdates);
    tf.dispose(Object.values(emaTensors));
    startEpoch = resumeState.epoch + 1;
    bestFitness = resumeState.bestFitness;
    rows.push(...resumeState.rows);
    log(`resuming at epoch ${startEpoch} of ${epochs} (best fitness ${bestFitness})`);
  }

  const lossOpts = { anchors: model.anchors, strides: model.strides, nc: model.nc, hyp, imgSize: opts.imgSize };
  const syncEma = () => {
    const st = ema.state;
    for (const [name, v] of emaModel.variables()) v.assign(st[name]!);
  };
  const snapshot = async (epoch: number): Promise<CheckpointData> => {
    const optState: OptimizerState = await optimizer.getState();
    const tensors = new Map<string, WeightTensor>();
    for (const [k, v] of Object.entries(ema.state)) tensors.set(EMA_PREFIX + k, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    // optimizer slots are keyed by tfjs variable name; checkpoints use the model's names (stable across processes)
    const byTf = new Map([...model.variables()].map(([k, v]) => [v.name, { key: k, shape: [...v.shape] }]));
    const steps: Record<string, number> = {};
    for (const [k, n] of Object.entries(optState.steps)) steps[byTf.get(k)!.key] = n;
    for (const [k, d] of Object.entries(optState.buf1)) tensors.set(BUF1_PREFIX + byTf.get(k)!.key, { shape: byTf.get(k)!.shape, data: d });
    for (const [k, d] of Object.entries(optState.buf2)) tensors.set(BUF2_PREFIX + byTf.get(k)!.key, { shape: byTf.get(k)!.shape, data: d });
    const state: FitState = {
      version: 1,
      epoch,
      epochs,
      bestFitness,
      schedule: schedule.getState(),
      optimizer: { kind: optState.kind, lr: optState.lr, momentum: optState.momentum, steps },
      emaUpdates: ema.updates,
      rng: rng.getState(),
      rows: rows.map((r) => ({ ...r })),
      freeze,
    };
    return checkpointFromModel(model, { training: { state, tensors }, meta: { epoch, bestFitness } });
  };

  let lastValidation: ValidationResult | undefined;
  try {
    await hooks.onFitStart?.({ startEpoch, epochs, nb, nw: schedule.nw, accumulate: accumulate0, anchors: anchorsResult });
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const epochSeed = rng.nextUint32();
      const { batches, count } = source.epoch(epoch, epochSeed);
      if (count !== nb) throw new RangeError(`batch source gave ${count} batches for epoch ${epoch}, expected ${nb}`);
      const mloss = new Float64Array(4);
      acc.zero(); // optimizer.zero_grad() at the start of every epoch
      let i = 0;
      let lastLabels = 0;
      let imgSize = opts.imgSize;
      for await (const batch of batches) {
        const ni = i + nb * epoch;
        schedule.beginIteration(ni, epoch);
        const B = batch.shape[0];
        const x = tf.tensor4d(batch.images, batch.shape);
        const targets = batch.targets.subarray(0, batch.numTargets * 6);
        let r;
        try {
          r = lossAndGrads(() => model.forwardTrain(x), targets, { ...lossOpts, batch: B }, vars);
        } finally {
          x.dispose();
        }
        if (!Number.isFinite(r.loss)) {
          tf.dispose(Object.values(r.grads));
          throw new TrainingDivergedError(
            `training stopped: the loss is ${r.loss} at epoch ${epoch}, batch ${i} (box ${r.items[0]}, obj ${r.items[1]}, cls ${r.items[2]}); ` +
              'lower the learning rate (lr0) or check the labels — the checkpoints written so far are kept',
            epoch,
            i,
          );
        }
        acc.add(r.grads);
        tf.dispose(Object.values(r.grads));
        const stepped = schedule.isStepIteration(ni);
        if (stepped) {
          optimizer.setHyper(schedule.lr, schedule.momentum);
          if (opts.clipGradNorm) {
            const c = clipGradNorm(acc.grads, opts.clipGradNorm);
            optimizer.step(c.grads);
            tf.dispose(Object.values(c.grads));
          } else {
            optimizer.step(acc.grads);
          }
          acc.zero();
          ema.update(modelState(model));
        }
        for (let k = 0; k < 4; k++) mloss[k] = (mloss[k]! * i + r.items[k]!) / (i + 1);
        lastLabels = batch.numTargets;
        imgSize = batch.shape[2];
        await hooks.onBatchEnd?.({ epoch, epochs, i, nb, ni, mloss, batch, loss: r.loss, stepped });
        i++;
      }
      const lr = [...schedule.lr];
      schedule.endEpoch();
      const final = epoch + 1 === epochs;
      const vp = opts.valPeriod ?? 0;
      let validation: ValidationResult | undefined;
      let fi: number | undefined;
      if (opts.validate && (final || (vp > 0 && (epoch + 1) % vp === 0))) {
        syncEma();
        validation = await opts.validate(emaModel, { epoch, final });
        lastValidation = validation;
        fi = fitness(validation.metrics, 'map75');
      }
      const isBest = fi !== undefined && (fi > bestFitness || (fi === bestFitness && !rows.some((r) => Number.isFinite(r.map75))));
      if (fi !== undefined && fi > bestFitness) bestFitness = fi;
      const m: Partial<Metrics> = validation?.metrics ?? {};
      const row: ResultsRow = {
        epoch,
        box: mloss[0]!,
        obj: mloss[1]!,
        cls: mloss[2]!,
        total: mloss[3]!,
        labels: lastLabels,
        imgSize,
        precision: m.precision ?? NaN,
        recall: m.recall ?? NaN,
        map50: m.map50 ?? NaN,
        map75: m.map75 ?? NaN,
        map50_95: m.map50_95 ?? NaN,
        lr0: lr[0]!,
        lr1: lr[1]!,
        lr2: lr[2]!,
      };
      rows.push(row);
      if (hooks.onEpochEnd) {
        syncEma();
        await hooks.onEpochEnd({ epoch, epochs, final, row, rows, validation, fitness: fi, bestFitness, isBest, snapshot: () => snapshot(epoch), emaModel });
      }
    }
    syncEma();
    await hooks.onFitEnd?.({ rows, bestFitness, lastValidation, emaModel });
    return { rows, bestFitness, lastValidation, emaWeights: emaModel.getWeights() };
  } finally {
    acc.zero();
    optimizer.dispose();
    ema.dispose();
    emaModel.dispose();
  }
}

/** `model.half().float()`: rounds every float state tensor and the anchors to float16 precision, in place. */
export function halfRoundModel(model: YoloModel): void {
  const w = model.getWeights();
  for (const t of w.values()) for (let k = 0; k < t.data.length; k++) t.data[k] = roundToHalf(t.data[k]!);
  model.setWeights(w);
  // strides are powers of two, so rounding grid units equals rounding the pixel anchor_grid
  model.anchors = model.anchors.map((l) => l.map((a) => a.map((v) => roundToHalf(v))));
}
