export { parseSpecYaml, loadSpecFile, loadSpec, validateSpecConfig, resolveSpec, pyRound, makeDivisible } from './lib/spec.js';
export type { ModelSpecConfig, SpecRow, ModuleKind, LayerSpec, ResolvedSpec, ResolveSpecOptions } from './lib/spec.js';
export { specsDir, shippedSpecNames, resolveSpecPath } from './lib/spec-files.js';
