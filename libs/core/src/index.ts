export { CLASS_NAMES, classIndex } from './lib/class-names.js';
export type { ClassName } from './lib/class-names.js';
export { VigilUserError, ensure, checkRange, runCli } from './lib/errors.js';
export {
  cxcywhToXyxy,
  xyxyToCxcywh,
  xyxyToXywh,
  xywhToXyxy,
  xywhToCxcywh,
  cxcywhToXywh,
  normalizeBoxes,
  denormalizeBoxes,
  boxAreas,
} from './lib/boxes.js';
export type { BoxXyxy, BoxXywh, BoxCxcywh, BoxArray } from './lib/boxes.js';
export { boxIou, iouPair } from './lib/box-iou.js';
export {
  nonMaxSuppression,
  nmsIndices,
  argsortDescending,
  topKIndices,
  emptyDetections,
  NMS_CLASS_OFFSET,
} from './lib/nms.js';
export type { NmsOptions, Detections } from './lib/nms.js';
export { scaleCoords, clipBoxes } from './lib/scale-coords.js';
export type { ImageShape, RatioPad } from './lib/scale-coords.js';
export { Rng } from './lib/rng.js';
export type { RngState } from './lib/rng.js';
export { createImage } from './lib/image.js';
export type { ImageU8, LabeledImage } from './lib/image.js';
export { HYP_REQUIRED_KEYS, HYP_OPTIONAL_KEYS, HYP_SCRATCH_P6, HYP_FINETUNE_SIMPLE } from './lib/hyp.js';
export type { Hyp } from './lib/hyp.js';
export { roundHalfEven } from './lib/round.js';
export { TAB10 } from './lib/chart.js';
export type { ChartSpec } from './lib/chart.js';
export { locateJsonError } from './lib/json-error-position.js';
export type { JsonErrorPosition } from './lib/json-error-position.js';
export { CONV_BN_SILU, BN_SILU, BN_SILU_GRAD, CONV_BIAS_SILU, SGD_STEP, bnSiluTakes } from './lib/kernel-names.js';
export type {
  ConvBnSiluInputs,
  ConvBnSiluAttrs,
  BnSiluInputs,
  BnSiluAttrs,
  BnSiluKernelLimits,
  ConvBiasSiluAttrs,
  SgdStepInputs,
  SgdStepAttrs,
} from './lib/kernel-names.js';
export { letterbox, letterboxGeometry, padImage } from './lib/letterbox.js';
export type { LetterboxOptions, LetterboxGeometry, LetterboxResult } from './lib/letterbox.js';
export { resizeBilinear } from './lib/resize-bilinear.js';
export { resizeArea } from './lib/resize-area.js';
export { resizeLongSide } from './lib/resize-long-side.js';
export { rectBatchShapes } from './lib/rect-shapes.js';
export type { RectBatches } from './lib/rect-shapes.js';
