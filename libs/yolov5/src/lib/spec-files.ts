import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { parseSpecYaml, resolveSpec, type ModelSpecConfig, type ResolveSpecOptions, type ResolvedSpec } from './spec.js';

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

/** Reads and parses a spec file. */
export function loadSpecFile(path: string): ModelSpecConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new VigilUserError(`model spec ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass an existing .yaml (see libs/yolov5/specs)`, path);
  }
  return parseSpecYaml(text, path);
}

/** Parses and resolves a spec file in one step. */
export function loadSpec(path: string, options: Omit<ResolveSpecOptions, 'source'> = {}): ResolvedSpec {
  return resolveSpec(loadSpecFile(path), { ...options, source: path });
}
