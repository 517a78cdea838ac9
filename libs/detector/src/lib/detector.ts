import * as tf from '@tensorflow/tfjs-core';
import { VigilUserError, nonMaxSuppression, scaleCoords, type ImageU8 } from '@vigil/core';
import { loadModelBytes, type YoloModel } from '@vigil/yolov5/browser';
import { resolveDetectorOptions, type DetectorOptions, type ResolvedDetectorOptions } from './options.js';
import { prepareInput, type PreparedInput } from './prepare.js';

/** One detection, in the tfjs-models convention: `bbox` = `[x, y, width, height]` in pixels of the input image. */
export interface DetectedObject {
  bbox: [number, number, number, number];
  /** Class name (the checkpoint's). */
  class: string;
  classId: number;
  /** Objectness × class probability. */
  score: number;
}

/** Turns one input of an entry's accepted kinds into RGB pixels at its own size. */
export type RgbReader<I> = (input: I) => Promise<ImageU8>;

/** Pixel value → network input (the original's `img.float() / 255.0`, as vigil-predict stacks its batches). */
const LUT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/**
 * A loaded model with its pre- and post-processing: each image is resized and letterboxed as vigil-predict does for a
 * batch of one, run through the fused model on the active tfjs backend, filtered by NMS and mapped back to its own
 * pixels. Create with the entry's `load()`; `dispose()` frees the model's tensors.
 */
export class Detector<I> {
  /** Class names, index = class id. */
  readonly classNames: readonly string[];
  /** Long side of the network input in pixels. */
  readonly imgSize: number;
  private readonly stride: number;
  private model: YoloModel | undefined;

  constructor(model: YoloModel, private readonly options: ResolvedDetectorOptions, private readonly read: RgbReader<I>) {
    this.model = model;
    this.classNames = [...model.names];
    this.imgSize = options.imgSize;
    this.stride = Math.max(32, ...model.strides); // the original's gs, as vigil-predict
  }

  /** Detections of one image, sorted by score. Leaves no tensor behind. */
  async detect(input: I): Promise<DetectedObject[]> {
    return (await this.detectBatch([input]))[0]!;
  }

  /**
   * Detections of several images (one list each, in order). Images whose letterbox shapes agree run as one batch;
   * the numbers are those of {@link detect} on each image.
   */
  async detectBatch(inputs: readonly I[]): Promise<DetectedObject[][]> {
    const model = this.alive();
    const prepared: PreparedInput[] = [];
    for (const input of inputs) prepared.push(prepareInput(await this.read(input), this.imgSize, this.stride));
    const groups = new Map<string, number[]>();
    prepared.forEach((p, i) => {
      const key = p.shape.join('x');
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    const out: DetectedObject[][] = new Array(inputs.length);
    for (const members of groups.values()) {
      const [H, W] = prepared[members[0]!]!.shape;
      const plane = H * W * 3;
      const x = new Float32Array(members.length * plane);
      members.forEach((i, b) => {
        const d = prepared[i]!.image.data;
        for (let k = 0; k < plane; k++) x[b * plane + k] = LUT[d[k]!]!;
      });
      const pred = tf.tidy(() => model.predict(tf.tensor4d(x, [members.length, H, W, 3])));
      let data: Float32Array;
      try {
        data = (await pred.data()) as Float32Array;
      } finally {
        pred.dispose();
      }
      const [, n, no] = pred.shape;
      members.forEach((i, b) => {
        out[i] = this.postprocess(data.subarray(b * n * no, (b + 1) * n * no), prepared[i]!);
      });
    }
    return out;
  }

  private postprocess(rows: Float32Array, p: PreparedInput): DetectedObject[] {
    const o = this.options;
    const det = nonMaxSuppression(rows, {
      numClasses: this.classNames.length,
      confThres: o.confThres,
      iouThres: o.iouThres,
      maxDet: o.maxDet,
      multiLabel: o.multiLabel,
      agnostic: o.agnostic,
      ...(o.classes ? { classes: o.classes } : {}),
    });
    const boxes = Float32Array.from(det.boxes);
    scaleCoords([0, 0], boxes, [p.h0, p.w0], [p.gain, p.pad]);
    return Array.from({ length: det.count }, (_, j) => {
      const [x1, y1, x2, y2] = [boxes[4 * j]!, boxes[4 * j + 1]!, boxes[4 * j + 2]!, boxes[4 * j + 3]!];
      const classId = det.classes[j]!;
      return { bbox: [x1, y1, x2 - x1, y2 - y1], class: this.classNames[classId] ?? String(classId), classId, score: det.scores[j]! };
    });
  }

  private alive(): YoloModel {
    if (!this.model) throw new VigilUserError('this detector has been disposed; load() a new one');
    return this.model;
  }

  /** Frees the model's tensors; the detector cannot be used afterwards. */
  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}

/** Builds a detector from the bytes of a `.vckpt` or YOLOv5 `.pt` (fused for inference, as vigil-predict's loader). */
export function detectorFromBytes<I>(bytes: Uint8Array, source: string, options: DetectorOptions, read: RgbReader<I>): Detector<I> {
  const { model } = loadModelBytes(bytes, source);
  try {
    const resolved = resolveDetectorOptions(options, model.nc);
    model.fuse();
    return new Detector(model, resolved, read);
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Downloads weights (browser, or Node ≥ 18 with a global fetch); a failed request is a user error naming the URL. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new VigilUserError(`weights ${url} cannot be fetched (${(e as Error).message})`, url);
  }
  if (!res.ok) throw new VigilUserError(`weights ${url} cannot be fetched (HTTP ${res.status} ${res.statusText})`, url);
  return new Uint8Array(await res.arrayBuffer());
}

/** Bytes of an `ArrayBuffer` / typed array source. */
export function bytesOfSource(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  return source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}
