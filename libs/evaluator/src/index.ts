export { IOU_THRESHOLDS, NIOU } from './lib/types.js';
export type { GroundTruth, MatchingMode } from './lib/types.js';
export { boxIouF32 } from './lib/box-iou-f32.js';
export { matchImage } from './lib/match.js';
export { apPerClass, computeAp, meanOverThresholds, CURVE_POINTS } from './lib/ap-per-class.js';
export type { MatchStats, ApPerClassResult } from './lib/ap-per-class.js';
export { argsortNumpy, interpNumpy, pairwiseSum, meanNumpy, linspaceNumpy, uniqueFirstIndex } from './lib/numpy-compat.js';
export { computeMetrics, fitness, formatMetricsTable, formatG3 } from './lib/metrics.js';
export type { Metrics, ClassMetrics, FitnessSpec } from './lib/metrics.js';
export { ConfusionMatrix } from './lib/confusion-matrix.js';
export type { ConfusionMatrixOptions } from './lib/confusion-matrix.js';
export { DetectionEvaluator } from './lib/evaluator.js';
export type { EvaluatorOptions, EvaluationResult } from './lib/evaluator.js';
export {
  parseJsonText,
  parseLabelsFile,
  parsePredictionsFile,
  scoreCompetitionFiles,
  scoreSummary,
} from './lib/scorer.js';
export type { ParsedImage, ScoreOptions, ScoreReport, ScoreSummary } from './lib/scorer.js';
export { prCurveChart, metricCurveChart, confusionMatrixChart, curvesCsv, curvesJson, evaluationPlots } from './lib/plots.js';
