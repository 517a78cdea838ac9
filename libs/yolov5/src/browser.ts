// The browser-safe part of @vigil/yolov5 (no node:* import, no file access): what @vigil/detector's browser entry
// needs to build a model from the bytes of a weights file and run it. The Node entry (index.ts) exports all of it too.
export { parseSpecYaml, validateSpecConfig, resolveSpec, pyRound, makeDivisible, SPEC_LIMITS } from './lib/spec.js';
export type { ModelSpecConfig, SpecRow, ModuleKind, LayerSpec, ResolvedSpec, ResolveSpecOptions } from './lib/spec.js';
export { YoloModel, BN_EPS, decodeOutputs } from './lib/model.js';
export type { WeightTensor, CreateModelOptions, EvalOutput } from './lib/model.js';
export { decodeCheckpoint, modelFromCheckpoint, CHECKPOINT_EXTENSION } from './lib/checkpoint.js';
export type { CheckpointData, StorageDtype } from './lib/checkpoint.js';
export { readTorchCheckpoint, loadTorchModel } from './lib/torch-import.js';
export type { TorchCheckpoint, LoadTorchOptions } from './lib/torch-import.js';
export { loadModelBytes, isTorchZip } from './lib/model-bytes.js';
export type { LoadModelFileOptions } from './lib/model-bytes.js';
