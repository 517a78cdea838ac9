export { parseSpecYaml, loadSpecFile, loadSpec, validateSpecConfig, resolveSpec, pyRound, makeDivisible, SPEC_LIMITS } from './lib/spec.js';
export type { ModelSpecConfig, SpecRow, ModuleKind, LayerSpec, ResolvedSpec, ResolveSpecOptions } from './lib/spec.js';
export { specsDir, shippedSpecNames, resolveSpecPath } from './lib/spec-files.js';
export { YoloModel, modelElementCount, BN_EPS, BN_MOMENTUM, decodeOutputs, spaceToDepthFocus, focusFilter, conv2dSym, silu, layerOf } from './lib/model.js';
export type { NamedVariable, VariableGroups, WeightTensor, CreateModelOptions, EvalOutput, TrainForwardOptions } from './lib/model.js';
export { tinyP6Spec, tinyP5Spec } from './lib/testing.js';
export { summarizeModel, formatSummary, pyRepr } from './lib/summary.js';
export type { ModelSummary, LayerSummary } from './lib/summary.js';
export { unpickle, pyToJs, PyGlobal, PyObject, PickleError } from './lib/pickle.js';
export type { UnpickleHooks } from './lib/pickle.js';
export { isExpectedGlobal, readTorchPickle, readTorchCheckpoint, torchCheckpointFromRoot, torchStateToWeights, torchTensorToFloat32, loadTorchModel } from './lib/torch-import.js';
export type { TorchCheckpoint, TorchTensor, TorchStorage, TorchWeightsResult, LoadTorchOptions } from './lib/torch-import.js';
export { float16ToFloat32, float32ToFloat16, encodeFloat16, decodeFloat16 } from './lib/float16.js';
export {
  CHECKPOINT_EXTENSION,
  encodeCheckpoint,
  decodeCheckpoint,
  saveCheckpoint,
  loadCheckpoint,
  checkpointFromModel,
  modelFromCheckpoint,
  loadWeightsInto,
  checkHoldsModel,
  writeFileAtomic,
  crc32,
} from './lib/checkpoint.js';
export type { CheckpointData, StorageDtype, SkippedTensor } from './lib/checkpoint.js';
export { loadModelFile, readWeightsFile, transferWeights } from './lib/weights-file.js';
export { detectImage } from './lib/detect-image.js';
export type { DetectImageOptions } from './lib/detect-image.js';
export type { LoadModelFileOptions, WeightsFileContent, TransferResult } from './lib/weights-file.js';
export { activationValues, checkMemoryFits, estimatePredictMemory, estimateTrainMemory, WASM32_HEAP_BYTES, WASM_HEAP_BACKENDS } from './lib/memory.js';
export type { MemoryEstimate } from './lib/memory.js';
