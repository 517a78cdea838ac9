import * as tf from '@tensorflow/tfjs-core';
import { nonMaxSuppression, scaleCoords } from '@vigil/core';
import type { Detections, ImageShape, ImageU8, RatioPad } from '@vigil/core';
import type { YoloModel } from './model.js';

/** Options of {@link detectImage}; defaults are the original's `detect.py` (conf 0.25, IoU 0.45, max 1000, one label a box). */
export interface DetectImageOptions {
  /** Keep boxes with obj > conf and obj·cls > conf (default 0.25). */
  confThres?: number;
  /** NMS IoU threshold (default 0.45). */
  iouThres?: number;
  /** Maximum detections (default 1000). */
  maxDet?: number;
  /** Keep every class whose score passes instead of only the best one (default false, as detect.py). */
  multiLabel?: boolean;
  /** Class-agnostic NMS (default false). */
  agnostic?: boolean;
  /** Keep only these class indices. */
  classes?: readonly number[];
  /**
   * `[height, width]` of the original image: boxes are mapped back to it and clipped (`scale_coords`). Without it
   * the boxes stay in pixels of `image`.
   */
  originalShape?: ImageShape;
  /** Gain and padding of the letterbox when known (the original's `ratio_pad`); default: derived from the shapes. */
  ratioPad?: RatioPad;
}

/**
 * Detection on one letterboxed image, as the original's detect.py does after `letterbox`: pixels / 255 → eval
 * forward → `non_max_suppression` → `scale_coords` to `originalShape`. `image` is 8-bit HWC (grey is replicated to
 * RGB) whose width and height are multiples of the model's largest stride (e.g. `letterbox` from @vigil/dataset).
 * Returns the detections sorted by score; boxes are xyxy in pixels of the original (or of `image`). No tensor is left
 * behind.
 */
export function detectImage(model: YoloModel, image: ImageU8, options: DetectImageOptions = {}): Detections {
  const { width, height, channels } = image;
  const stride = Math.max(...model.strides);
  if (width % stride !== 0 || height % stride !== 0) {
    throw new RangeError(
      `detectImage: the image is ${width}×${height}, but the model needs width and height divisible by its largest stride ${stride} (letterbox it first)`,
    );
  }
  if (image.data.length !== width * height * channels) {
    throw new RangeError(`detectImage: image data holds ${image.data.length} bytes, expected ${width}×${height}×${channels}`);
  }
  const decoded = tf.tidy(() => {
    let x = tf.div(tf.cast(tf.tensor4d(image.data, [1, height, width, channels], 'int32'), 'float32'), 255) as tf.Tensor4D;
    if (channels === 1) x = tf.tile(x, [1, 1, 1, 3]);
    return model.forwardEval(x).decoded;
  });
  let pred: Float32Array;
  try {
    pred = decoded.dataSync() as Float32Array;
  } finally {
    decoded.dispose();
  }
  const det = nonMaxSuppression(pred, {
    numClasses: model.nc,
    confThres: options.confThres ?? 0.25,
    iouThres: options.iouThres ?? 0.45,
    maxDet: options.maxDet ?? 1000,
    multiLabel: options.multiLabel ?? false,
    agnostic: options.agnostic ?? false,
    ...(options.classes ? { classes: options.classes } : {}),
  });
  if (options.originalShape) scaleCoords([height, width], det.boxes, options.originalShape, options.ratioPad);
  return det;
}
