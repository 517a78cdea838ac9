export { parseSpecYaml, validateSpecConfig, resolveSpec, pyRound, makeDivisible } from './lib/spec.js';
export type { ModelSpecConfig, SpecRow, ModuleKind, LayerSpec, ResolvedSpec, ResolveSpecOptions } from './lib/spec.js';
export { specsDir, shippedSpecNames, resolveSpecPath, loadSpecFile, loadSpec } from './lib/spec-files.js';
export { YoloModel, BN_EPS, BN_MOMENTUM, decodeOutputs, spaceToDepthFocus, focusFilter, conv2dSym, silu, layerOf } from './lib/model.js';
export type { NamedVariable, VariableGroups, WeightTensor, CreateModelOptions, EvalOutput, TrainForwardOptions } from './lib/model.js';
export { registerConvBnSiluKernel, getConvBnSiluKernel, registerConvBnSiluTrainKernel, getConvBnSiluTrainKernel } from './lib/conv-kernel.js';
export type { ConvBnSiluArgs, ConvBnSiluKernel, ConvBnSiluTrainArgs, ConvBnSiluTrainResult, ConvBnSiluTrainKernel } from './lib/conv-kernel.js';
export { tinyP6Spec, tinyP5Spec } from './lib/testing.js';
export { summarizeModel, formatSummary, pyRepr } from './lib/summary.js';
export type { ModelSummary, LayerSummary } from './lib/summary.js';
export { unpickle, pyToJs, PyGlobal, PyObject, PickleError } from './lib/pickle.js';
export type { UnpickleHooks } from './lib/pickle.js';
export { readTorchPickle, readTorchCheckpoint, torchCheckpointFromRoot, torchStateToWeights, torchTensorToFloat32, loadTorchModel } from './lib/torch-import.js';
export type { TorchCheckpoint, TorchTensor, TorchStorage, TorchWeightsResult, LoadTorchOptions } from './lib/torch-import.js';
export { float16ToFloat32, float32ToFloat16, encodeFloat16, decodeFloat16 } from './lib/float16.js';
export {
  CHECKPOINT_EXTENSION,
  encodeCheckpoint,
  decodeCheckpoint,
  checkpointFromModel,
  modelFromCheckpoint,
  loadWeightsInto,
  crc32,
} from './lib/checkpoint.js';
export { saveCheckpoint, loadCheckpoint, writeFileAtomic } from './lib/checkpoint-file.js';
export type { CheckpointData, StorageDtype, SkippedTensor } from './lib/checkpoint.js';
export { loadModelFile, readWeightsFile } from './lib/weights-file.js';
export { loadModelBytes } from './lib/model-bytes.js';
export { detectImage } from './lib/detect-image.js';
export type { DetectImageOptions } from './lib/detect-image.js';
export type { LoadModelFileOptions } from './lib/model-bytes.js';
export { exportOnnx, ONNX_OPSET } from './lib/onnx-export.js';
export type { OnnxExportOptions } from './lib/onnx-export.js';
