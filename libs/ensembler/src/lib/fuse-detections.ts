import { type Detections, VigilUserError } from '@vigil/core';
import { type NmwOptions, nonMaximumWeighted } from './non-maximum-weighted.js';
import { type SoftNmsOptions, softNms } from './soft-nms.js';
import { type WbfOptions, weightedBoxesFusion } from './weighted-boxes-fusion.js';

/** A box-fusion ensemble method over per-model detections (the seed's own method, concat-NMS, works on candidates). */
export type FusionMethod = 'wbf' | 'soft-nms' | 'nmw';

/** The options of every fusion method; each method reads its own. */
export type FuseOptions = WbfOptions & SoftNmsOptions & NmwOptions;

/**
 * Fuses the detections of one image by several models (or TTA passes) with the named method:
 * 'wbf' → {@link weightedBoxesFusion}, 'soft-nms' → {@link softNms}, 'nmw' → {@link nonMaximumWeighted}.
 */
export function fuseDetections(method: FusionMethod, models: readonly Detections[], options: FuseOptions = {}): Detections {
  switch (method) {
    case 'wbf':
      return weightedBoxesFusion(models, options);
    case 'soft-nms':
      return softNms(models, options);
    case 'nmw':
      return nonMaximumWeighted(models, options);
    default:
      throw new VigilUserError(`unknown ensemble method ${String(method)}; use one of concat, wbf, soft-nms, nmw`);
  }
}
