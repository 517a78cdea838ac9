import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { COMPETITION_DATA_ROOT, defaultSynthDir } from '@vigil/dataset';

/**
 * Which data root to use: `--data-root`, else the real data when present, else the embedded synthetic set (the same
 * folder vigil-predict uses: `defaultSynthDir`). Unlike dataset's `resolveDataRoot`, nothing is generated here: the
 * pipeline generates the synthetic set later, with vigil-train's own `--synth-train` / `--synth-test` sizes.
 */
export function resolveDataRoot(given: string | undefined): { root: string; synthetic: boolean } {
  if (given !== undefined) {
    const root = resolve(given);
    if (!existsSync(join(root, 'task03_train'))) {
      throw new VigilUserError(`--data-root ${given}: no task03_train/ folder inside; give the folder that holds task03_train/ and task03_test/`, given);
    }
    return { root, synthetic: false };
  }
  if (existsSync(join(COMPETITION_DATA_ROOT, 'task03_train'))) return { root: COMPETITION_DATA_ROOT, synthetic: false };
  return { root: defaultSynthDir(), synthetic: true };
}
