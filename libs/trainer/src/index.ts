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
  roundHalfEven,
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
