export type { ProgressEvent, ProgressCallback } from './lib/progress.js';
export { buildSynthScene, SYNTH_PRIORS } from './lib/synth-scene.js';
export type { SynthScene, SynthObject, SynthPriors } from './lib/synth-scene.js';
export {
  generateSyntheticData,
  ensureSyntheticData,
  renderSynthScene,
  SYNTH_MARKER,
  SYNTH_VERSION,
} from './lib/synth-generate.js';
export type { SynthOptions, SynthConfig, SynthSummary } from './lib/synth-generate.js';
export { prepareData, formatPrepareReport } from './lib/prepare-data.js';
export type { PrepareDataOptions, PrepareDataReport } from './lib/prepare-data.js';
export { parseRawLabels, readRawLabels, cleanRecord } from './lib/raw-labels.js';
export type { RawRecord, CleanRecord } from './lib/raw-labels.js';
export { RecordIssues, ISSUE_ACTION } from './lib/record-issues.js';
export type { RecordIssueKind } from './lib/record-issues.js';
export { locateJsonError } from './lib/json-error-position.js';
export type { JsonErrorPosition } from './lib/json-error-position.js';
export { selectDiet } from './lib/diet.js';
export { splitTrainVal } from './lib/split.js';
export type { TrainValSplit } from './lib/split.js';
export { linkOrCopy } from './lib/link-file.js';
export type { LinkMode } from './lib/link-file.js';
export { countClasses, formatClassCounts } from './lib/class-counts.js';
export { formatFixedPy, yoloLabelText } from './lib/yolo-format.js';
