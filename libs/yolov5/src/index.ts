export { parseSpecYaml, loadSpecFile, loadSpec, validateSpecConfig, resolveSpec, pyRound, makeDivisible } from './lib/spec.js';
export type { ModelSpecConfig, SpecRow, ModuleKind, LayerSpec, ResolvedSpec, ResolveSpecOptions } from './lib/spec.js';
export { specsDir, shippedSpecNames, resolveSpecPath } from './lib/spec-files.js';
export { YoloModel, BN_EPS, BN_MOMENTUM, decodeOutputs, spaceToDepthFocus, conv2dSym, silu, layerOf } from './lib/model.js';
export type { NamedVariable, VariableGroups, WeightTensor, CreateModelOptions, EvalOutput, TrainForwardOptions } from './lib/model.js';
export { registerConvBnSiluKernel, getConvBnSiluKernel } from './lib/conv-kernel.js';
export type { ConvBnSiluArgs, ConvBnSiluKernel } from './lib/conv-kernel.js';
export { tinyP6Spec, tinyP5Spec } from './lib/testing.js';
