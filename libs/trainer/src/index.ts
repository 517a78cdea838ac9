export { computeLoss, scaleLossGains, objBalance, smoothBce } from './lib/compute-loss.js';
export type { ComputeLossOptions, LossResult, LossGains } from './lib/compute-loss.js';
export { buildTargets } from './lib/build-targets.js';
export type { BuildTargetsOptions, LevelTargets } from './lib/build-targets.js';
export { bboxCiou } from './lib/bbox-ciou.js';
export { gatherRows } from './lib/gather-rows.js';
export { stopGradient } from './lib/stop-gradient.js';
export {
  HYP_SCRATCH_P6,
  HYP_FINETUNE_SIMPLE,
  BUILTIN_HYPS,
  HYP_REQUIRED_KEYS,
  HYP_OPTIONAL_KEYS,
  validateHyp,
  parseHyp,
  loadHyp,
} from './lib/hyp.js';
export type { Hyp } from './lib/hyp.js';
export {
  NOMINAL_BATCH,
  TrainSchedule,
  npInterp,
  oneCycle,
  lrLambda,
  nominalAccumulate,
  scaleWeightDecay,
  warmupIterations,
} from './lib/schedule.js';
export type { TrainScheduleConfig, TrainScheduleState } from './lib/schedule.js';
export { GroupedOptimizer, GradientAccumulator, classifyParam, clipGradNorm, PARAM_GROUP_ORDER } from './lib/optimizer.js';
export type { OptimizerKind, OptimizerOptions, OptimizerState, ParamGroupKind } from './lib/optimizer.js';
export { ModelEma, emaDecay } from './lib/model-ema.js';
export type { ModelEmaOptions } from './lib/model-ema.js';
export { labelSizesPx, anchorRatios, anchorMetric, anchorFitness, kmeanAnchors, checkAnchors } from './lib/autoanchor.js';
export type { AnchorDataset, KmeanAnchorsOptions, CheckAnchorsOptions, CheckAnchorsResult } from './lib/autoanchor.js';
export { kmeans, kmeansLloyd, vectorQuantize } from './lib/kmeans.js';
export type { KmeansResult } from './lib/kmeans.js';
export { roundToHalf, roundArrayToHalf } from './lib/half-precision.js';
export { lossAndGrads } from './lib/loss-grads.js';
export type { LossAndGrads } from './lib/loss-grads.js';
export { fit, halfRoundModel, TrainingDivergedError } from './lib/fit.js';
export { BestFitness } from './lib/early-stopping.js';
export type { BestFitnessState, BestFitnessUpdate } from './lib/early-stopping.js';
export type { FitOptions, FitResult, FitState, TrainHooks, BatchEndInfo, EpochEndInfo, FitEndInfo } from './lib/fit.js';
export type { TrainBatch, EpochBatches, TrainBatchSource, ValidationResult, ValidateFn } from './lib/batch-source.js';
export { evaluateModel } from './lib/validate.js';
export type { EvaluateModelOptions } from './lib/validate.js';
export { runFileHooks, runPaths, stripToEma, composeHooks, finishStageWeights, stageProgress, removeStaleTempFiles } from './lib/run-files.js';
export type { RunFileOptions, StageProgress } from './lib/run-files.js';
export { RUN_MANIFEST, writeRunManifest, readRunManifest, runDirOf, stageDirs, latestRunDir, runFinalWeights } from './lib/run-manifest.js';
export type { RunManifest, RunKind, RunStage } from './lib/run-manifest.js';
export { resultsCsv, resultsChart, RESULTS_COLUMNS, RESULTS_PANELS } from './lib/results.js';
export type { ResultsRow } from './lib/results.js';
export { formatProgressLine, formatG, PROGRESS_HEADER } from './lib/progress-line.js';
export { ToyDetectionData } from './lib/testing-source.js';
