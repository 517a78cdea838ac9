import { readFileSync } from 'node:fs';
import { VigilUserError } from '@vigil/core';
import { parse } from 'yaml';

/**
 * YOLOv5 hyperparameters with the original's key names (data/hyp.*.yaml at ultralytics/yolov5 10d56d784), so that
 * hyp files port unchanged. `label_smoothing` is not in the files: train.py sets it from `--label-smoothing`.
 */
export interface Hyp {
  /** initial learning rate (SGD 1e-2, Adam 1e-3) */
  lr0: number;
  /** final one-cycle / linear LR fraction (lr0 · lrf) */
  lrf: number;
  /** SGD momentum / Adam beta1 */
  momentum: number;
  /** optimiser weight decay (scaled by batch·accumulate/64 at training start) */
  weight_decay: number;
  /** warmup epochs (fractions ok) */
  warmup_epochs: number;
  /** warmup initial momentum */
  warmup_momentum: number;
  /** warmup initial bias lr */
  warmup_bias_lr: number;
  /** box loss gain */
  box: number;
  /** cls loss gain */
  cls: number;
  /** cls BCE positive weight */
  cls_pw: number;
  /** obj loss gain (scales with pixels) */
  obj: number;
  /** obj BCE positive weight */
  obj_pw: number;
  /** IoU training threshold (unused by the loss; kept for compatibility) */
  iou_t: number;
  /** anchor-multiple threshold */
  anchor_t: number;
  /** anchors per output layer (optional; 0 to ignore) */
  anchors?: number;
  /** focal loss gamma (0 = plain BCE) */
  fl_gamma: number;
  hsv_h: number;
  hsv_s: number;
  hsv_v: number;
  degrees: number;
  translate: number;
  scale: number;
  shear: number;
  perspective: number;
  flipud: number;
  fliplr: number;
  mosaic: number;
  mixup: number;
  /** class label smoothing epsilon (set from --label-smoothing; 0 when absent) */
  label_smoothing?: number;
}

/** Keys every hyp file must have. */
export const HYP_REQUIRED_KEYS = [
  'lr0',
  'lrf',
  'momentum',
  'weight_decay',
  'warmup_epochs',
  'warmup_momentum',
  'warmup_bias_lr',
  'box',
  'cls',
  'cls_pw',
  'obj',
  'obj_pw',
  'iou_t',
  'anchor_t',
  'fl_gamma',
  'hsv_h',
  'hsv_s',
  'hsv_v',
  'degrees',
  'translate',
  'scale',
  'shear',
  'perspective',
  'flipud',
  'fliplr',
  'mosaic',
  'mixup',
] as const satisfies readonly (keyof Hyp)[];

/** Keys a hyp file may have. */
export const HYP_OPTIONAL_KEYS = ['anchors', 'label_smoothing'] as const satisfies readonly (keyof Hyp)[];

/** data/hyp.scratch-p6.yaml of the seed (stage 1: from scratch). */
export const HYP_SCRATCH_P6: Readonly<Hyp> = Object.freeze({
  lr0: 0.01,
  lrf: 0.2,
  momentum: 0.937,
  weight_decay: 0.0005,
  warmup_epochs: 3.0,
  warmup_momentum: 0.8,
  warmup_bias_lr: 0.1,
  box: 0.05,
  cls: 0.3,
  cls_pw: 1.0,
  obj: 0.7,
  obj_pw: 1.0,
  iou_t: 0.2,
  anchor_t: 4.0,
  fl_gamma: 0.0,
  hsv_h: 0.0,
  hsv_s: 0.0,
  hsv_v: 0.4,
  degrees: 0.0,
  translate: 0.1,
  scale: 0.9,
  shear: 0.0,
  perspective: 0.0,
  flipud: 0.0,
  fliplr: 0.5,
  mosaic: 1.0,
  mixup: 0.0,
});

/** data/hyp.finetune-simple.yaml of the seed (stage 2: fine-tune). */
export const HYP_FINETUNE_SIMPLE: Readonly<Hyp> = Object.freeze({
  lr0: 0.0032,
  lrf: 0.12,
  momentum: 0.843,
  weight_decay: 0.00036,
  warmup_epochs: 2.0,
  warmup_momentum: 0.5,
  warmup_bias_lr: 0.05,
  box: 0.0296,
  cls: 0.243,
  cls_pw: 0.631,
  obj: 0.301,
  obj_pw: 0.911,
  iou_t: 0.2,
  anchor_t: 2.91,
  fl_gamma: 0.0,
  hsv_h: 0.0,
  hsv_s: 0.0,
  hsv_v: 0.0,
  degrees: 0.0,
  translate: 0.1,
  scale: 0.0,
  shear: 0.0,
  perspective: 0.0,
  flipud: 0.0,
  fliplr: 0.5,
  mosaic: 0.0,
  mixup: 0.0,
});

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
