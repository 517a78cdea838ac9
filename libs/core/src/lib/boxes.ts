/**
 * Box formats. Single boxes are 4-tuples; many boxes are flat typed arrays of length 4·N (row-major, one box a row).
 * The type name says the format; whether coordinates are pixels or normalised to [0,1] is said where a box is used.
 *
 * - xyxy:   x1, y1 (top-left), x2, y2 (bottom-right)       (torchvision "xyxy"; the competition's `position`)
 * - xywh:   x1, y1 (top-left), w, h                         (COCO style)
 * - cxcywh: centre x, centre y, w, h                        (YOLO labels; YOLOv5's own code calls this "xywh")
 */
export type BoxXyxy = [x1: number, y1: number, x2: number, y2: number];
/** Top-left corner plus width and height. */
export type BoxXywh = [x: number, y: number, w: number, h: number];
/** Centre plus width and height. */
export type BoxCxcywh = [cx: number, cy: number, w: number, h: number];

/** A flat array of boxes, 4 numbers per box. */
export type BoxArray = Float32Array | Float64Array | number[];

type Out<T extends BoxArray> = T extends number[] ? number[] : T;

function alloc<T extends BoxArray>(like: T): Out<T> {
  return (Array.isArray(like) ? new Array<number>(like.length) : new (like.constructor as Float32ArrayConstructor)(like.length)) as Out<T>;
}

function checkLength(boxes: BoxArray): void {
  if (boxes.length % 4 !== 0) throw new RangeError(`box array length ${boxes.length} is not a multiple of 4`);
}

/** cxcywh → xyxy (YOLOv5 `xywh2xyxy`). Returns a new array of the same kind. */
export function cxcywhToXyxy<T extends BoxArray>(boxes: T): Out<T> {
  checkLength(boxes);
  const out = alloc(boxes);
  for (let i = 0; i < boxes.length; i += 4) {
    const cx = boxes[i]!, cy = boxes[i + 1]!, hw = boxes[i + 2]! / 2, hh = boxes[i + 3]! / 2;
    out[i] = cx - hw;
    out[i + 1] = cy - hh;
    out[i + 2] = cx + hw;
    out[i + 3] = cy + hh;
  }
  return out;
}

/** xyxy → cxcywh (YOLOv5 `xyxy2xywh`). */
export function xyxyToCxcywh<T extends BoxArray>(boxes: T): Out<T> {
  checkLength(boxes);
  const out = alloc(boxes);
  for (let i = 0; i < boxes.length; i += 4) {
    const x1 = boxes[i]!, y1 = boxes[i + 1]!, x2 = boxes[i + 2]!, y2 = boxes[i + 3]!;
    out[i] = (x1 + x2) / 2;
    out[i + 1] = (y1 + y2) / 2;
    out[i + 2] = x2 - x1;
    out[i + 3] = y2 - y1;
  }
  return out;
}

/** xyxy → xywh (top-left + size). */
export function xyxyToXywh<T extends BoxArray>(boxes: T): Out<T> {
  checkLength(boxes);
  const out = alloc(boxes);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i]!;
    out[i + 1] = boxes[i + 1]!;
    out[i + 2] = boxes[i + 2]! - boxes[i]!;
    out[i + 3] = boxes[i + 3]! - boxes[i + 1]!;
  }
  return out;
}

/** xywh (top-left + size) → xyxy. */
export function xywhToXyxy<T extends BoxArray>(boxes: T): Out<T> {
  checkLength(boxes);
  const out = alloc(boxes);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i]!;
    out[i + 1] = boxes[i + 1]!;
    out[i + 2] = boxes[i]! + boxes[i + 2]!;
    out[i + 3] = boxes[i + 1]! + boxes[i + 3]!;
  }
  return out;
}

/** xywh (top-left + size) → cxcywh. */
export function xywhToCxcywh<T extends BoxArray>(boxes: T): Out<T> {
  return xyxyToCxcywh(xywhToXyxy(boxes)) as Out<T>;
}

/** cxcywh → xywh (top-left + size). */
export function cxcywhToXywh<T extends BoxArray>(boxes: T): Out<T> {
  return xyxyToXywh(cxcywhToXyxy(boxes)) as Out<T>;
}

/**
 * Pixel → normalised: divides x by `width` and y by `height` (any of the formats above: all 4 numbers scale the
 * same way per axis). Returns a new array.
 */
export function normalizeBoxes<T extends BoxArray>(boxes: T, width: number, height: number): Out<T> {
  return scaleAxes(boxes, 1 / width, 1 / height);
}

/** Normalised → pixels: multiplies x by `width` and y by `height`. Returns a new array. */
export function denormalizeBoxes<T extends BoxArray>(boxes: T, width: number, height: number): Out<T> {
  return scaleAxes(boxes, width, height);
}

function scaleAxes<T extends BoxArray>(boxes: T, sx: number, sy: number): Out<T> {
  checkLength(boxes);
  if (!(sx > 0 && sy > 0 && Number.isFinite(sx) && Number.isFinite(sy))) {
    throw new RangeError('image width and height must be positive finite numbers');
  }
  const out = alloc(boxes);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i]! * sx;
    out[i + 1] = boxes[i + 1]! * sy;
    out[i + 2] = boxes[i + 2]! * sx;
    out[i + 3] = boxes[i + 3]! * sy;
  }
  return out;
}

/** Area of each xyxy box (no +1; negative widths give 0). */
export function boxAreas(boxes: BoxArray): Float64Array {
  checkLength(boxes);
  const n = boxes.length / 4;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.max(0, boxes[4 * i + 2]! - boxes[4 * i]!) * Math.max(0, boxes[4 * i + 3]! - boxes[4 * i + 1]!);
  }
  return out;
}
