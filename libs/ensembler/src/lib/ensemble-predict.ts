import type * as tf from '@tensorflow/tfjs-core';
import { type Detections, type NmsOptions, VigilUserError } from '@vigil/core';
import { type EnsembleMember, type EnsembleRunOptions, batchNms, concatNmsEnsemble } from './concat-nms.js';
import { type FuseOptions, type FusionMethod, fuseDetections } from './fuse-detections.js';
import { checkClassNames } from './fusion-input.js';
import { checkDetectorOutput, runTta } from './tta.js';

/** Every ensemble method: the seed's concat-then-NMS, or a box fusion of per-model detections. */
export type EnsembleMethod = 'concat' | FusionMethod;

/** Options of {@link ensemblePredict}. */
export interface EnsemblePredictOptions extends EnsembleRunOptions {
  /** Default 'concat' (the seed's). */
  method?: EnsembleMethod;
  /** NMS options (conf_thres, iou_thres, max_det…): of the single NMS ('concat') or of each model's NMS (fusion). */
  nms?: Partial<NmsOptions>;
  /** Options of the fusion method (weights, iouThr, confType…); `imageSize` and `classNames` are filled in. */
  fuse?: Omit<FuseOptions, 'imageSize' | 'classNames'>;
}

/**
 * One batch through an ensemble with the chosen method:
 * - 'concat': the seed's — every member × TTA pass concatenated, one NMS ({@link concatNmsEnsemble});
 * - 'wbf' | 'soft-nms' | 'nmw': each member (with its TTA passes when `augment`) gets its own NMS, then the members'
 *   detections of each image are fused ({@link fuseDetections}), boxes normalised by the batch's width and height.
 *
 * @param images `[B, H, W, 3]` float32 0–1 NHWC (letterboxed); not disposed.
 * @returns one {@link Detections} per image in the batch's pixel coordinates, by descending score.
 */
export async function ensemblePredict(
  members: readonly EnsembleMember[],
  images: tf.Tensor4D,
  options: EnsemblePredictOptions = {},
): Promise<Detections[]> {
  const method = options.method ?? 'concat';
  if (method === 'concat') return concatNmsEnsemble(members, images, options);
  if (method !== 'wbf' && method !== 'soft-nms' && method !== 'nmw') {
    throw new VigilUserError(`unknown ensemble method ${String(method)}; use one of concat, wbf, soft-nms, nmw`);
  }
  if (members.length === 0) throw new VigilUserError('ensemble: no models given; pass at least one weights file');
  const names = members.map((m) => m.names);
  checkClassNames(names, members.length);
  const [b, height, width] = images.shape;
  const perMember: Detections[][] = [];
  let nc: number | undefined;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    const pred = (options.augment ?? true) ? await runTta(m.detect, images, { gs: m.maxStride, plan: options.plan }) : await m.detect(images);
    try {
      checkDetectorOutput(pred, b, undefined, `model ${i}`);
      if (nc !== undefined && pred.shape[2] - 5 !== nc) {
        throw new VigilUserError(`model ${i} predicts ${pred.shape[2] - 5} classes but model 0 predicts ${nc}; models can only be ensembled when they predict the same classes`);
      }
      nc = pred.shape[2] - 5;
      perMember.push(await batchNms(pred, options.nms));
    } finally {
      pred.dispose();
    }
  }
  const out: Detections[] = [];
  for (let k = 0; k < b; k++) {
    out.push(fuseDetections(method, perMember.map((d) => d[k]!), { ...options.fuse, imageSize: { width, height }, classNames: names }));
  }
  return out;
}
