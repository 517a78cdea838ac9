/**
 * Augmentation hyperparameters, with YOLOv5's key names so that hyp files port unchanged
 * (seed: data/hyp.scratch-p6.yaml, data/hyp.finetune-simple.yaml).
 */
export interface AugmentHyp {
  /** HSV hue gain (fraction): hue LUT multiplier drawn from U(1 − hsv_h, 1 + hsv_h). */
  hsv_h: number;
  /** HSV saturation gain (fraction). */
  hsv_s: number;
  /** HSV value gain (fraction). */
  hsv_v: number;
  /** Rotation range ± degrees. */
  degrees: number;
  /** Translation ± fraction of the output size. */
  translate: number;
  /** Scale gain: s ~ U(1 − scale, 1 + scale). */
  scale: number;
  /** Shear range ± degrees. */
  shear: number;
  /** Perspective range ± (0–0.001); ≠ 0 switches the warp to a full perspective warp. */
  perspective: number;
  /** Probability of an up-down flip. */
  flipud: number;
  /** Probability of a left-right flip. */
  fliplr: number;
  /** Probability of a 4-image mosaic (else the caller's letterboxed image). */
  mosaic: number;
  /** Probability of mixing a second mosaic in (only when the sample is a mosaic). */
  mixup: number;
}

/** The geometric subset used by `random_perspective`. */
export type PerspectiveHyp = Pick<AugmentHyp, 'degrees' | 'translate' | 'scale' | 'shear' | 'perspective'>;

/**
 * Every key of the seed's `data/hyp.scratch-p6.yaml` (baseline training). The loss/optimiser keys are here so the
 * whole file travels as one constant; libs/augment reads only the {@link AugmentHyp} keys.
 */
export const HYP_SCRATCH_P6 = Object.freeze({
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
} as const);

/** Every key of the seed's `data/hyp.finetune-simple.yaml` (stage-2 fine-tuning: translate + fliplr only). */
export const HYP_FINETUNE_SIMPLE = Object.freeze({
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
} as const);

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
