import { readFileSync } from 'node:fs';
import { HYP_FINETUNE_SIMPLE, HYP_OPTIONAL_KEYS, HYP_REQUIRED_KEYS, HYP_SCRATCH_P6, VigilUserError, type Hyp } from '@vigil/core';
import { parse } from 'yaml';

export { HYP_REQUIRED_KEYS, HYP_OPTIONAL_KEYS, HYP_SCRATCH_P6, HYP_FINETUNE_SIMPLE } from '@vigil/core';
export type { Hyp } from '@vigil/core';

/** Built-in hyp sets by the seed's file stem. */
export const BUILTIN_HYPS: Readonly<Record<string, Readonly<Hyp>>> = Object.freeze({
  'hyp.scratch-p6': HYP_SCRATCH_P6,
  'hyp.finetune-simple': HYP_FINETUNE_SIMPLE,
});

/**
 * Validates a parsed hyp object: every required key present, no unknown key, every value a finite number.
 * @param source names the file (or record) in the error message.
 * @throws VigilUserError listing all missing / unknown / non-numeric keys at once.
 */
export function validateHyp(obj: unknown, source = 'hyp'): Hyp {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new VigilUserError(`${source}: a hyp file must be a YAML mapping of key: number, got ${obj === null ? 'null' : Array.isArray(obj) ? 'a list' : typeof obj}`, source);
  }
  const rec = obj as Record<string, unknown>;
  const known = new Set<string>([...HYP_REQUIRED_KEYS, ...HYP_OPTIONAL_KEYS]);
  const problems: string[] = [];
  const missing = HYP_REQUIRED_KEYS.filter((k) => !(k in rec));
  if (missing.length) problems.push(`missing key(s): ${missing.join(', ')}`);
  const unknown = Object.keys(rec).filter((k) => !known.has(k));
  if (unknown.length) problems.push(`unknown key(s): ${unknown.join(', ')} (valid keys: ${[...known].join(', ')})`);
  const bad = Object.keys(rec).filter((k) => known.has(k) && (typeof rec[k] !== 'number' || !Number.isFinite(rec[k])));
  if (bad.length) problems.push(`non-numeric value(s): ${bad.map((k) => `${k}=${JSON.stringify(rec[k])}`).join(', ')}`);
  if (problems.length) {
    throw new VigilUserError(`${source}: invalid hyperparameters: ${problems.join('; ')}. Fix the file (YOLOv5 hyp key names) and retry.`, source);
  }
  const out = {} as Record<string, number>;
  for (const k of [...HYP_REQUIRED_KEYS, ...HYP_OPTIONAL_KEYS]) if (k in rec) out[k] = rec[k] as number;
  return out as unknown as Hyp;
}

/** Parses hyp YAML text (see {@link validateHyp}). */
export function parseHyp(text: string, source = 'hyp'): Hyp {
  let obj: unknown;
  try {
    obj = parse(text);
  } catch (e) {
    throw new VigilUserError(`${source}: not valid YAML (${(e as Error).message.split('\n')[0]}). Fix the file and retry.`, source);
  }
  return validateHyp(obj, source);
}

/**
 * Loads a hyp file (YOLOv5 format) or a built-in set by name (`hyp.scratch-p6`, `hyp.finetune-simple`, with or
 * without `.yaml` and a `data/` prefix, when no such file exists).
 */
export function loadHyp(pathOrName: string): Hyp {
  let text: string;
  try {
    text = readFileSync(pathOrName, 'utf8');
  } catch (e) {
    const stem = pathOrName.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
    const builtin = BUILTIN_HYPS[stem];
    if (builtin && (e as NodeJS.ErrnoException).code === 'ENOENT') return { ...builtin };
    throw new VigilUserError(`${pathOrName}: cannot read hyp file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a YAML file or one of ${Object.keys(BUILTIN_HYPS).join(', ')}.`, pathOrName);
  }
  return parseHyp(text, pathOrName);
}
