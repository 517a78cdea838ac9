import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VigilUserError } from '@vigil/core';

/** Where the original keeps the competition data. */
export const REAL_DATA_ROOT = '/DATA/Final_DATA';

/** The repository root (holds nx.json), found from this file; falls back to the working directory. */
export function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 8; k++) {
    if (existsSync(join(d, 'nx.json'))) return d;
    d = dirname(d);
  }
  return process.cwd();
}

/** The embedded synthetic set's folder (generated on first use; data/ is git-ignored). `VIGIL_SYNTH_DIR` overrides. */
export function syntheticRoot(): string {
  return process.env['VIGIL_SYNTH_DIR'] ? resolve(process.env['VIGIL_SYNTH_DIR']) : join(repoRoot(), 'data', 'synthetic');
}

/** Which data root to use: `--data-root`, else the real data when present, else the embedded synthetic set. */
export function resolveDataRoot(given: string | undefined): { root: string; synthetic: boolean } {
  if (given !== undefined) {
    const root = resolve(given);
    if (!existsSync(join(root, 'task03_train'))) {
      throw new VigilUserError(`--data-root ${given}: no task03_train/ folder inside; give the folder that holds task03_train/ and task03_test/`, given);
    }
    return { root, synthetic: false };
  }
  if (existsSync(join(REAL_DATA_ROOT, 'task03_train'))) return { root: REAL_DATA_ROOT, synthetic: false };
  return { root: syntheticRoot(), synthetic: true };
}
