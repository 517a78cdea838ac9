import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join } from 'node:path';

/** Folder of the shipped yaml specs (libs/yolov5/specs, also in the published package). */
export function specsDir(): string {
  // src/lib/x.ts and dist/lib/x.js are both two levels below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'specs');
}

/** Names of the shipped specs, e.g. `yolov5l6`, `yolov5n6`, `yolov5s`. */
export function shippedSpecNames(): string[] {
  return readdirSync(specsDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => basename(f, '.yaml'))
    .sort();
}

/**
 * Resolves `--cfg`: an existing path is used as is; otherwise a shipped spec name (`yolov5n6`, `yolov5n6.yaml`).
 * Returns the path, or `undefined` when neither exists.
 */
export function resolveSpecPath(cfg: string): string | undefined {
  if (existsSync(cfg)) return cfg;
  const name = basename(cfg).replace(/\.ya?ml$/, '');
  const p = join(specsDir(), `${name}.yaml`);
  return existsSync(p) ? p : undefined;
}
