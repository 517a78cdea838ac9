import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSyntheticData } from './synth-generate.js';
import type { SynthOptions } from './synth-generate.js';

/** Where the competition data lives on the original's machine (task03_train/, task03_test/). */
export const COMPETITION_DATA_ROOT = '/DATA/Final_DATA';

/** Default folder of the embedded synthetic set (relative to the working directory), shared by vigil-train and vigil-predict. */
export const DEFAULT_SYNTH_DIR = 'data/synthetic';

/** A resolved data root. */
export interface DataRoot {
  root: string;
  /** True when it is the embedded synthetic set (generated on first use). */
  synthetic: boolean;
}

/**
 * The data root both apps use when none is given: `explicit` when set; else {@link COMPETITION_DATA_ROOT} when it holds
 * task03_train/ or task03_test/; else the embedded synthetic set in `synthDir` (default {@link DEFAULT_SYNTH_DIR}),
 * generated on first use with the default parameters (`ensureSyntheticData(dir)`, so every app finds the same set).
 */
export async function resolveDataRoot(
  explicit?: string,
  options: { synthDir?: string; competitionRoot?: string; synth?: SynthOptions } = {},
): Promise<DataRoot> {
  if (explicit) return { root: explicit, synthetic: false };
  const comp = options.competitionRoot ?? COMPETITION_DATA_ROOT;
  if (existsSync(join(comp, 'task03_train')) || existsSync(join(comp, 'task03_test'))) return { root: comp, synthetic: false };
  const dir = options.synthDir ?? DEFAULT_SYNTH_DIR;
  await ensureSyntheticData(dir, options.synth);
  return { root: dir, synthetic: true };
}
