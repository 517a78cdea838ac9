import * as tf from '@tensorflow/tfjs-core';
import { type Detections, type NmsOptions, VigilUserError, nonMaxSuppression } from '@vigil/core';
import { checkClassNames } from './fusion-input.js';
import { type Detector, type TtaPass, checkDetectorOutput, runTta } from './tta.js';

/** One model of an ensemble, as a function (the ensembler never imports a model library). */
export interface EnsembleMember {
  /** Runs the model in eval mode: `[B, H, W, 3]` → decoded `[B, N, 5 + nc]` (see {@link Detector}). */
  detect: Detector;
  /** The model's largest stride (TTA pads scaled images to a multiple of it). */
  maxStride: number;
  /** The model's class names, checked to be identical across members when given. */
  names?: readonly string[];
}

/** Options of {@link runEnsemble}. */
export interface EnsembleRunOptions {
  /** Test-time augmentation per member (the original's `--augment`). Default true. */
  augment?: boolean;
  /** TTA passes. Default: the original's three. */
  plan?: readonly TtaPass[];
}

/**
 * The original's `Ensemble.forward` (models/experimental.py, "nms ensemble"): run every member (with TTA when
 * `augment`, see {@link runTta}) and concatenate their decoded candidates along N in member order — member 0's passes
 * first — ready for one NMS ({@link batchNms}).
 *
 * @param images `[B, H, W, 3]` float32 0–1 NHWC; not disposed.
 * @returns `[B, ΣN, 5 + nc]`; the caller disposes it.
 * @throws VigilUserError when members have different class lists or predict a different number of classes.
 */
export async function runEnsemble(
  members: readonly EnsembleMember[],
  images: tf.Tensor4D,
  options: EnsembleRunOptions = {},
): Promise<tf.Tensor3D> {
  if (members.length === 0) throw new VigilUserError('ensemble: no models given; pass at least one weights file');
  checkClassNames(members.map((m) => m.names), members.length);
  const augment = options.augment ?? true;
  const outputs: tf.Tensor3D[] = [];
  try {
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      const y = augment ? await runTta(m.detect, images, { gs: m.maxStride, plan: options.plan }) : await m.detect(images);
      outputs.push(y);
      checkDetectorOutput(y, images.shape[0], outputs[0]!.shape[2], `model ${i}`);
      const nc = y.shape[2] - 5;
      if (m.names && m.names.length !== nc) {
        throw new VigilUserError(`model ${i}: predicts ${nc} classes but has ${m.names.length} class names; the checkpoint is inconsistent`);
      }
    }
    return outputs.length === 1 ? outputs.pop()! : tf.concat(outputs, 1);
  } finally {
    for (const o of outputs) o.dispose();
  }
}

/**
 * One NMS per image over a batch of decoded candidates (the original's `non_max_suppression` after the ensemble):
 * core's {@link nonMaxSuppression} on every image's `[N, 5 + nc]` rows. `numClasses` defaults to the last dimension − 5.
 *
 * @param pred `[B, N, 5 + nc]` float32 (input pixels); not disposed.
 * @returns one {@link Detections} per image, in input pixels, by descending score.
 */
export async function batchNms(pred: tf.Tensor3D, options: Partial<NmsOptions> = {}): Promise<Detections[]> {
  const [b, n, no] = pred.shape;
  const nc = options.numClasses ?? no - 5;
  if (no !== nc + 5) throw new VigilUserError(`NMS: rows have ${no} values but numClasses = ${nc} needs ${nc + 5}`);
  const data = (await pred.data()) as Float32Array;
  const out: Detections[] = [];
  for (let i = 0; i < b; i++) out.push(nonMaxSuppression(data.subarray(i * n * no, (i + 1) * n * no), { ...options, numClasses: nc }));
  return out;
}

/**
 * The seed's whole ensemble step: {@link runEnsemble} (every member × every TTA pass) then {@link batchNms}.
 * @returns one {@link Detections} per image of the batch, in the batch's pixel coordinates (letterboxed input).
 */
export async function concatNmsEnsemble(
  members: readonly EnsembleMember[],
  images: tf.Tensor4D,
  options: EnsembleRunOptions & { nms?: Partial<NmsOptions> } = {},
): Promise<Detections[]> {
  const pred = await runEnsemble(members, images, options);
  try {
    return await batchNms(pred, options.nms);
  } finally {
    pred.dispose();
  }
}

/**
 * Concat-then-NMS over candidates already on the CPU: the `[N_i, 5 + nc]` rows of every model × pass for ONE image
 * are concatenated in the given order and go through one {@link nonMaxSuppression}.
 */
export function concatNms(candidates: readonly Float32Array[], options: NmsOptions): Detections {
  const no = 5 + options.numClasses;
  let total = 0;
  candidates.forEach((c, i) => {
    if (c.length % no !== 0) {
      throw new VigilUserError(`candidates ${i}: length ${c.length} is not a multiple of 5 + nc = ${no}; all models must predict the same classes`);
    }
    total += c.length;
  });
  const all = new Float32Array(total);
  let off = 0;
  for (const c of candidates) {
    all.set(c, off);
    off += c.length;
  }
  return nonMaxSuppression(all, options);
}
