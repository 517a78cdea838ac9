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
