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
