import type { Hyp } from '@vigil/core';

/**
 * Augmentation hyperparameters, with YOLOv5's key names so that hyp files port unchanged
 * (seed: data/hyp.scratch-p6.yaml, data/hyp.finetune-simple.yaml).
 */
export type AugmentHyp = Pick<
  Hyp,
  'hsv_h' | 'hsv_s' | 'hsv_v' | 'degrees' | 'translate' | 'scale' | 'shear' | 'perspective' | 'flipud' | 'fliplr' | 'mosaic' | 'mixup'
>;

/** The geometric subset used by `random_perspective`. */
export type PerspectiveHyp = Pick<AugmentHyp, 'degrees' | 'translate' | 'scale' | 'shear' | 'perspective'>;

const AUGMENT_KEYS: readonly (keyof AugmentHyp)[] = [
  'hsv_h', 'hsv_s', 'hsv_v', 'degrees', 'translate', 'scale', 'shear', 'perspective', 'flipud', 'fliplr', 'mosaic', 'mixup',
];
const PROBABILITY_KEYS: ReadonlySet<keyof AugmentHyp> = new Set(['flipud', 'fliplr', 'mosaic', 'mixup']);

/**
 * Checks the augmentation keys of a hyp object (e.g. parsed from a user's YAML): every key present, finite,
 * non-negative, probabilities ≤ 1. Throws a `RangeError` naming the key; callers that read user files wrap it into a
 * `VigilUserError` naming the file.
 */
export function checkAugmentHyp(hyp: Partial<Record<keyof AugmentHyp, unknown>>): AugmentHyp {
  for (const k of AUGMENT_KEYS) {
    const v = hyp[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`hyp key '${k}' must be a finite number, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    }
    if (v < 0) throw new RangeError(`hyp key '${k}' must be ≥ 0, got ${v}`);
    if (PROBABILITY_KEYS.has(k) && v > 1) throw new RangeError(`hyp key '${k}' is a probability and must be ≤ 1, got ${v}`);
  }
  return hyp as AugmentHyp;
}
