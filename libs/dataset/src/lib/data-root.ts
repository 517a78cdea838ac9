import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNTH_MARKER, ensureSyntheticData } from './synth-generate.js';
import type { SynthOptions } from './synth-generate.js';

/** Where the competition data lives on the original's machine (task03_train/, task03_test/). */
export const COMPETITION_DATA_ROOT = '/DATA/Final_DATA';

/**
 * Default folder of the embedded synthetic set, shared by vigil-train and vigil-predict: `$VIGIL_SYNTH_DIR` when set,
 * else `data/synthetic` in the repository root (the folder holding nx.json above this file), else in the working
 * directory.
 */
export function defaultSynthDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['VIGIL_SYNTH_DIR']) return resolve(env['VIGIL_SYNTH_DIR']);
  let d = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 8; k++) {
    if (existsSync(join(d, 'nx.json'))) return join(d, 'data', 'synthetic');
    d = dirname(d);
  }
  return resolve('data', 'synthetic');
}

/** A resolved data root. */
export interface DataRoot {
  root: string;
  /** True when it is the embedded synthetic set. */
  synthetic: boolean;
}

/** True when `dir` holds a complete synthetic set (its marker, without the "incomplete" flag). */
function hasCompleteSynthSet(dir: string): boolean {
  try {
    const m = JSON.parse(readFileSync(join(dir, SYNTH_MARKER), 'utf8')) as { incomplete?: boolean };
    return m.incomplete !== true;
  } catch {
    return false;
  }
}

/**
 * The data root when none is given: `explicit` when set; else {@link COMPETITION_DATA_ROOT} when it holds task03_train/
 * or task03_test/; else the embedded synthetic set in `synthDir` (default {@link defaultSynthDir}). A complete
 * synthetic set already there is used as it is, whatever its parameters (e.g. vigil-train's `--synth-train`); only a
 * missing or interrupted one is generated, with `synth` (default parameters: the same set vigil-train makes by
 * default).
 */
export async function resolveDataRoot(
  explicit?: string,
  options: { synthDir?: string; competitionRoot?: string; synth?: SynthOptions } = {},
): Promise<DataRoot> {
  if (explicit) return { root: explicit, synthetic: false };
  const comp = options.competitionRoot ?? COMPETITION_DATA_ROOT;
  if (existsSync(join(comp, 'task03_train')) || existsSync(join(comp, 'task03_test'))) return { root: comp, synthetic: false };
  const dir = options.synthDir ?? defaultSynthDir();
  if (!hasCompleteSynthSet(dir)) await ensureSyntheticData(dir, options.synth);
  return { root: dir, synthetic: true };
}
