import { VigilUserError } from '@vigil/core';

/** Options of `load()`: inference size and the NMS settings; defaults are the original's detect.py. */
export interface DetectorOptions {
  /** Long side of the network input in pixels (default 640); each image is letterboxed to its own stride multiple. */
  imgSize?: number;
  /** Keep boxes with obj > conf and obj·cls > conf (default 0.25). */
  confThres?: number;
  /** NMS IoU threshold (default 0.45). */
  iouThres?: number;
  /** Maximum detections per image (default 1000). */
  maxDet?: number;
  /** Keep only these class ids. */
  classes?: readonly number[];
  /** Every class that passes `confThres` gives a box, as vigil-predict (test.py) does; default false (one a box, detect.py). */
  multiLabel?: boolean;
  /** Class-agnostic NMS (default false). */
  agnostic?: boolean;
}

/** {@link DetectorOptions} checked, with defaults filled in. */
export interface ResolvedDetectorOptions {
  imgSize: number;
  confThres: number;
  iouThres: number;
  maxDet: number;
  classes?: readonly number[];
  multiLabel: boolean;
  agnostic: boolean;
}

function check(name: string, v: number, ok: boolean, what: string): number {
  if (!ok) throw new VigilUserError(`detector option ${name} = ${v}: expected ${what}`);
  return v;
}

/** Validates the options against a model with `nc` classes; bad values are a one-line user error naming the option. */
export function resolveDetectorOptions(o: DetectorOptions, nc: number): ResolvedDetectorOptions {
  const imgSize = o.imgSize ?? 640;
  const confThres = o.confThres ?? 0.25;
  const iouThres = o.iouThres ?? 0.45;
  const maxDet = o.maxDet ?? 1000;
  check('imgSize', imgSize, Number.isInteger(imgSize) && imgSize >= 32 && imgSize <= 8192, 'an integer in [32, 8192]');
  check('confThres', confThres, confThres >= 0 && confThres <= 1, 'a number in [0, 1]');
  check('iouThres', iouThres, iouThres >= 0 && iouThres <= 1, 'a number in [0, 1]');
  check('maxDet', maxDet, Number.isInteger(maxDet) && maxDet >= 1, 'a positive integer');
  for (const c of o.classes ?? []) check('classes', c, Number.isInteger(c) && c >= 0 && c < nc, `class ids in [0, ${nc - 1}] (the model has ${nc} classes)`);
  return {
    imgSize,
    confThres,
    iouThres,
    maxDet,
    ...(o.classes ? { classes: [...o.classes] } : {}),
    multiLabel: o.multiLabel === true,
    agnostic: o.agnostic === true,
  };
}
