import * as tf from '@tensorflow/tfjs-core';
import { VigilUserError, checkRange } from '@vigil/core';

/** A flip of the image: none, left-right (the original's flip dim 3) or up-down (dim 2). */
export type TtaFlip = 'none' | 'lr' | 'ud';

/** One test-time-augmentation pass: flip the batch, then scale it by `scale`. */
export interface TtaPass {
  scale: number;
  flip: TtaFlip;
}

/**
 * A detector as the ensembler sees it: a batch `[B, H, W, 3]` float32 0–1 NHWC in, decoded predictions
 * `[B, N, 5 + nc]` float32 out (cx, cy, w, h in input pixels, obj prob, class probs — Detect's eval output).
 * The caller keeps ownership of the input; the returned tensor is handed over to (and disposed by) the ensembler.
 */
export type Detector = (images: tf.Tensor4D) => tf.Tensor3D | Promise<tf.Tensor3D>;

/** YOLOv5 `forward_augment`'s passes (ultralytics/yolov5 @10d56d784): scales [1, 0.83, 0.67], flips [none, lr, none]. */
export function ttaPlan(): TtaPass[] {
  return [
    { scale: 1, flip: 'none' },
    { scale: 0.83, flip: 'lr' },
    { scale: 0.67, flip: 'none' },
  ];
}

/** Options of {@link scaleImageForTta}; names follow YOLOv5 `scale_img`. */
export interface ScaleImageOptions {
  /** Grid size the padded result is a multiple of: the model's largest stride. Default 32. */
  gs?: number;
  /** Pad/crop back to the input's size instead of the next multiple of `gs`. Default false. */
  sameShape?: boolean;
  /** Pad value (the original's ImageNet mean 0.447). Default 0.447. */
  padValue?: number;
}

/**
 * YOLOv5 `scale_img` (utils/torch_utils.py) on an NHWC batch: resize `[B, H, W, C]` to (⌊H·ratio⌋, ⌊W·ratio⌋) with
 * bilinear interpolation (align_corners = False, i.e. half-pixel centres, no antialiasing — torch's
 * `F.interpolate(mode='bilinear')`), then pad right and bottom with `padValue` up to ⌈H·ratio/gs⌉·gs ×
 * ⌈W·ratio/gs⌉·gs (or to H × W with `sameShape`, cropping when the resized image is larger).
 * With ratio 1 the image is returned unchanged (as a new tensor handle, so the caller always owns the result).
 *
 * @param images `[B, H, W, C]` float32 NHWC; not disposed.
 * @returns a new tensor the caller disposes.
 */
export function scaleImageForTta(images: tf.Tensor4D, ratio: number, options: ScaleImageOptions = {}): tf.Tensor4D {
  const gs = options.gs ?? 32;
  const padValue = options.padValue ?? 0.447;
  checkRange('TTA scale ratio', ratio, Number.MIN_VALUE, 100);
  if (!Number.isInteger(gs) || gs < 1) throw new VigilUserError(`TTA grid size (gs, the model's max stride) must be a positive integer, got ${gs}`);
  if (images.rank !== 4) throw new VigilUserError(`TTA expects an NHWC batch [B, H, W, C], got shape [${images.shape.join(', ')}]`);
  if (ratio === 1) return tf.clone(images);
  const [, h, w] = images.shape;
  const sh = Math.trunc(h * ratio);
  const sw = Math.trunc(w * ratio);
  if (sh < 1 || sw < 1) throw new VigilUserError(`TTA scale ${ratio} shrinks a ${h}×${w} image to nothing`);
  const th = options.sameShape ? h : Math.ceil((h * ratio) / gs) * gs;
  const tw = options.sameShape ? w : Math.ceil((w * ratio) / gs) * gs;
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.image.resizeBilinear(images, [sh, sw], false, true);
    if (th < sh || tw < sw) x = tf.slice(x, [0, 0, 0, 0], [-1, Math.min(th, sh), Math.min(tw, sw), -1]);
    const ph = Math.max(0, th - sh);
    const pw = Math.max(0, tw - sw);
    return ph || pw ? tf.pad(x, [[0, 0], [0, ph], [0, pw], [0, 0]], padValue) : x;
  });
}

/**
 * YOLOv5 `_descale_pred`: undo one TTA pass on decoded predictions. cx, cy, w, h are divided by `scale`, then a
 * left-right flip maps cx → W − cx (up-down: cy → H − cy), W and H being the un-scaled input's size.
 *
 * @param pred `[B, N, 5 + nc]` float32 decoded predictions of the scaled (and flipped) batch; not disposed.
 * @param inputSize height and width of the batch before scaling.
 * @returns a new `[B, N, 5 + nc]` tensor the caller disposes.
 */
export function descalePredictions(
  pred: tf.Tensor3D,
  scale: number,
  flip: TtaFlip,
  inputSize: { height: number; width: number },
): tf.Tensor3D {
  if (pred.rank !== 3 || pred.shape[2] < 6) {
    throw new VigilUserError(`decoded predictions must be [B, N, 5 + nc], got shape [${pred.shape.join(', ')}]`);
  }
  return tf.tidy((): tf.Tensor3D => {
    const no = pred.shape[2];
    const xywh: tf.Tensor3D = tf.div(tf.slice(pred, [0, 0, 0], [-1, -1, 4]), scale);
    const rest = tf.slice(pred, [0, 0, 4], [-1, -1, no - 4]);
    if (flip === 'none') return tf.concat([xywh, rest], 2);
    const parts = tf.split(xywh, [1, 1, 2], 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    let [x, y] = parts;
    const wh = parts[2];
    if (flip === 'lr') x = tf.sub<tf.Tensor3D>(inputSize.width, x);
    else y = tf.sub<tf.Tensor3D>(inputSize.height, y);
    return tf.concat([x, y, wh, rest], 2);
  });
}

/** Options of {@link runTta}. */
export interface TtaOptions {
  /** The model's largest stride (the original's `gs = int(self.stride.max())`). */
  gs: number;
  /** The passes. Default {@link ttaPlan}(). */
  plan?: readonly TtaPass[];
  /** Pad value of the scaled images. Default 0.447. */
  padValue?: number;
}

/**
 * YOLOv5 `forward_augment`: for every pass (in plan order) flip the batch, scale it ({@link scaleImageForTta}), run
 * the detector, de-scale and de-flip its output ({@link descalePredictions}, every pass, scale 1 included), and
 * concatenate the passes along N in plan order.
 *
 * @param images `[B, H, W, 3]` float32 0–1 NHWC; not disposed.
 * @returns `[B, ΣN_pass, 5 + nc]` in the input's pixel coordinates; the caller disposes it.
 */
export async function runTta(detect: Detector, images: tf.Tensor4D, options: TtaOptions): Promise<tf.Tensor3D> {
  const plan = options.plan ?? ttaPlan();
  if (plan.length === 0) throw new VigilUserError('TTA plan is empty: give at least one pass');
  const [b, height, width] = images.shape;
  const outputs: tf.Tensor3D[] = [];
  try {
    for (const pass of plan) {
      let y: tf.Tensor3D;
      const flipped = pass.flip === 'lr' ? tf.reverse(images, 2) : pass.flip === 'ud' ? tf.reverse(images, 1) : images;
      const scaled = scaleImageForTta(flipped, pass.scale, { gs: options.gs, padValue: options.padValue });
      if (flipped !== images) flipped.dispose();
      try {
        y = await detect(scaled);
      } finally {
        scaled.dispose();
      }
      try {
        checkDetectorOutput(y, b, outputs[0]?.shape[2]);
        outputs.push(descalePredictions(y, pass.scale, pass.flip, { height, width }));
      } finally {
        y.dispose();
      }
    }
    return outputs.length === 1 ? outputs.pop()! : tf.concat(outputs, 1);
  } finally {
    for (const o of outputs) o.dispose();
  }
}

/** Throws a VigilUserError when a detector's output is not `[batch, N, no]` (with `no` matching earlier outputs). */
export function checkDetectorOutput(y: tf.Tensor, batch: number, no: number | undefined, what = 'detector'): void {
  if (y.rank !== 3 || y.shape[0] !== batch || y.shape[2]! < 6) {
    throw new VigilUserError(`${what} returned shape [${y.shape.join(', ')}]; expected decoded predictions [${batch}, N, 5 + nc]`);
  }
  if (no !== undefined && y.shape[2] !== no) {
    throw new VigilUserError(
      `${what} returned ${y.shape[2]! - 5} classes per row but an earlier output had ${no - 5}; ` +
        'models can only be ensembled when they predict the same classes',
    );
  }
}
