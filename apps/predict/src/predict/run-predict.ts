import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type Detections, VigilUserError, emptyDetections, nonMaxSuppression, scaleCoords } from '@vigil/core';
import { ensemblePredict, runEnsemble } from '@vigil/ensembler';
import { type VideoWriter, drawDetectionsRgb, oneLine, openVideoWriter, readVideoFrames, saveDetectionsImage, videoFrameName } from '@vigil/dataset';
import { type ImageEntry, type PlannedBatch, type PreparedImage, planBatches, prepareFrame, prepareImage, stackImages } from './images.js';
import type { LoadedModels } from './models.js';
import { type EmptyObjects, type PredictionRecord, predictionRecord } from './output.js';
import { ProgressBar } from './progress.js';

/** Settings of {@link predictImages}. */
export interface PredictRunOptions {
  imgSize: number;
  confThres: number;
  iouThres: number;
  batchSize: number;
  augment: boolean;
  ensemble: 'concat' | 'wbf' | 'soft-nms' | 'nmw';
  emptyObjects: EmptyObjects;
  /** Folder to draw the detections into (`--save-img`). */
  saveImgDir?: string;
  progress?: boolean;
  /** Called for an image that cannot be read (it is written with no objects). */
  onSkip?: (file: string, reason: string) => void;
  /** Called after each batch of a video's frames with the frames done so far. */
  onVideoProgress?: (video: string, frames: number) => void;
  /** The `file_name` written for an image (default: the competition's stem + ".jpg"). */
  fileName?: (file: string) => string;
}

/** Milliseconds spent per stage, summed over the run. */
export interface StageTimes {
  preprocess: number;
  inference: number;
  nms: number;
}

/** Result of {@link predictImages}. */
export interface PredictRunResult {
  records: PredictionRecord[];
  /** Detections in original-image pixels, by file (images that could be read). */
  detections: Map<string, Detections>;
  times: StageTimes;
  /** Images that went through the network. */
  seen: number;
  skipped: { file: string; reason: string }[];
}

/** Maps detections from the letterboxed batch back to the image (the original's `scale_coords` with `ratio_pad`). */
function toOriginalPixels(det: Detections, im: PreparedImage): Detections {
  const boxes = Float32Array.from(det.boxes);
  scaleCoords([0, 0], boxes, [im.h0, im.w0], [im.gain, im.pad]);
  return { ...det, boxes };
}

/** Boxes of one image for the drawing helpers. */
function drawBoxes(det: Detections) {
  return Array.from({ length: det.count }, (_, j) => ({
    box: [det.boxes[4 * j]!, det.boxes[4 * j + 1]!, det.boxes[4 * j + 2]!, det.boxes[4 * j + 3]!] as [number, number, number, number],
    cls: det.classes[j]!,
    conf: det.scores[j]!,
  }));
}

/**
 * The network part of one batch, shared by images and video frames: stacked letterboxed images → the ensemble (every
 * model × TTA pass, concatenated, or fused by `ensemble`) → multi-label NMS → boxes back to original pixels.
 */
async function detectBatch(ready: readonly PreparedImage[], shape: [number, number], loaded: LoadedModels, o: PredictRunOptions, times: StageTimes): Promise<Detections[]> {
  const nms = { numClasses: loaded.names.length, confThres: o.confThres, iouThres: o.iouThres, maxDet: 300, multiLabel: true };
  const [H, W] = shape;
  let t = performance.now();
  const x = tf.tensor4d(stackImages(ready, shape), [ready.length, H, W, 3]);
  times.preprocess += performance.now() - t;
  let perImage: Detections[];
  try {
    if (o.ensemble === 'concat') {
      t = performance.now();
      const pred = await runEnsemble(loaded.members, x, { augment: o.augment });
      const [b, n, no] = pred.shape;
      let data: Float32Array;
      try {
        data = (await pred.data()) as Float32Array;
      } finally {
        pred.dispose();
      }
      times.inference += performance.now() - t;
      t = performance.now();
      perImage = [];
      for (let i = 0; i < b; i++) perImage.push(nonMaxSuppression(data.subarray(i * n * no, (i + 1) * n * no), nms));
      times.nms += performance.now() - t;
    } else {
      t = performance.now();
      perImage = await ensemblePredict(loaded.members, x, { method: o.ensemble, augment: o.augment, nms });
      times.inference += performance.now() - t; // per-model NMS and fusion included
    }
  } finally {
    x.dispose();
  }
  return ready.map((im, i) => toOriginalPixels(perImage[i]!, im));
}

/**
 * The original predict.py loop: rect batches → letterbox → {@link detectBatch} → one record per image, in the
 * loader's (rect) order. Images whose header or pixels cannot be read are reported through `onSkip` and written with
 * no objects; the run goes on.
 */
export async function predictImages(entries: readonly ImageEntry[], loaded: LoadedModels, o: PredictRunOptions): Promise<PredictRunResult> {
  const times: StageTimes = { preprocess: 0, inference: 0, nms: 0 };
  const records: PredictionRecord[] = [];
  const detections = new Map<string, Detections>();
  const skipped: { file: string; reason: string }[] = [];
  const skip = (file: string, reason: string) => {
    skipped.push({ file, reason });
    o.onSkip?.(file, reason);
    records.push(predictionRecord(file, emptyDetections(), loaded.names, o.emptyObjects, o.fileName));
  };
  const good = entries.filter((e) => !e.error);
  for (const e of entries) if (e.error) skip(e.file, e.error);
  const batches = planBatches(good, o.batchSize, o.imgSize, loaded.maxStride, 0.5);
  const bar = o.progress === false ? undefined : new ProgressBar(good.length, 'predict');
  if (o.saveImgDir) mkdirSync(o.saveImgDir, { recursive: true });
  let seen = 0;
  let done = 0;
  bar?.update(0);
  // the next batch is read and letterboxed (sharp decodes on libuv threads) while the current one runs the network
  const prepare = (b: PlannedBatch) => Promise.allSettled(b.images.map((e) => prepareImage(e, b.shape, o.imgSize)));
  let pending = batches.length > 0 ? prepare(batches[0]!) : undefined;
  for (let bi = 0; bi < batches.length; bi++) {
    const batch = batches[bi]!;
    const t = performance.now();
    const settled = await pending!;
    pending = bi + 1 < batches.length ? prepare(batches[bi + 1]!) : undefined;
    const ready: PreparedImage[] = [];
    settled.forEach((s, k) => {
      if (s.status === 'fulfilled') ready.push(s.value);
      else skip(batch.images[k]!.file, oneLine((s.reason as Error).message));
    });
    times.preprocess += performance.now() - t;
    if (ready.length === 0) {
      done += batch.images.length;
      bar?.update(done);
      continue;
    }
    const perImage = await detectBatch(ready, batch.shape, loaded, o, times);
    seen += ready.length;
    for (let i = 0; i < ready.length; i++) {
      const im = ready[i]!;
      const det = perImage[i]!;
      detections.set(im.entry.file, det);
      records.push(predictionRecord(im.entry.file, det, loaded.names, o.emptyObjects, o.fileName));
      if (o.saveImgDir) {
        try {
          await saveDetectionsImage(im.entry.file, join(o.saveImgDir, `${basename(im.entry.file, extname(im.entry.file))}.jpg`), drawBoxes(det), { names: loaded.names });
        } catch (e) {
          o.onSkip?.(im.entry.file, `could not draw: ${(e as Error).message}`);
        }
      }
    }
    done += batch.images.length;
    bar?.update(done);
  }
  return { records, detections, times, seen, skipped };
}

/** The path a video frame is known by: `<video folder>/<video stem>_<frame index, 6 digits>.jpg` ({@link videoFrameName}). */
export function videoFramePath(video: string, index: number): string {
  return join(dirname(video), videoFrameName(video, index));
}

/**
 * Predicts a video's frames in order (decoded by ffmpeg, `readVideoFrames`), `batchSize` frames at a time, through the
 * same preparation and {@link detectBatch} as images: a frame gives the detections its pixels give as a lossless image
 * file. One record per frame, named `<video stem>_<frame index, 6 digits>.jpg` (frames counted from 0). With
 * `saveImgDir`, the frames with their boxes drawn are written to `<saveImgDir>/<video stem>.mp4` at the video's rate.
 */
export async function predictVideo(video: string, loaded: LoadedModels, o: PredictRunOptions): Promise<PredictRunResult> {
  const times: StageTimes = { preprocess: 0, inference: 0, nms: 0 };
  const records: PredictionRecord[] = [];
  const detections = new Map<string, Detections>();
  let shape: [number, number] | undefined;
  let writer: VideoWriter | undefined;
  let batch: { im: PreparedImage; rgb: Uint8Array }[] = [];
  let seen = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const perImage = await detectBatch(batch.map((b) => b.im), shape!, loaded, o, times);
    for (let i = 0; i < batch.length; i++) {
      const { im, rgb } = batch[i]!;
      const det = perImage[i]!;
      detections.set(im.entry.file, det);
      records.push(predictionRecord(im.entry.file, det, loaded.names, o.emptyObjects, o.fileName));
      if (writer) await writer.write(await drawDetectionsRgb(rgb, im.w0, im.h0, drawBoxes(det), { names: loaded.names }));
    }
    seen += batch.length;
    o.onVideoProgress?.(video, seen);
    batch = [];
  };
  let closed = false;
  try {
    for await (const f of readVideoFrames(video)) {
      const t = performance.now();
      const entry: ImageEntry = { file: videoFramePath(video, f.index), width: f.width, height: f.height };
      shape ??= planBatches([entry], 1, o.imgSize, loaded.maxStride, 0.5)[0]!.shape;
      if (o.saveImgDir && !writer) {
        mkdirSync(o.saveImgDir, { recursive: true });
        // H.264 yuv420p (what players read) needs an even size; an odd-sized video is written as lossless RGB H.264
        const even = f.width % 2 === 0 && f.height % 2 === 0;
        writer = openVideoWriter(join(o.saveImgDir, `${basename(video, extname(video))}.mp4`), { width: f.width, height: f.height, fps: f.rate ?? 25, lossless: !even });
      }
      batch.push({ im: prepareFrame(entry, f.data, shape, o.imgSize), rgb: f.data });
      times.preprocess += performance.now() - t;
      if (batch.length === o.batchSize) await flush();
    }
    await flush();
    closed = true;
    await writer?.close();
  } finally {
    if (!closed) await writer?.close().catch(() => undefined);
  }
  if (seen === 0) throw new VigilUserError(`${video}: the video has no frames`, video);
  return { records, detections, times, seen, skipped: [] };
}

/**
 * The speed line: ms per image for pre-process / inference / NMS (the original prints inference/NMS/total).
 * Pre-process counts the time the loop waits for a batch's images (the next batch is prepared during inference).
 */
export function speedLine(times: StageTimes, seen: number, imgSize: number, batchSize: number): string {
  const per = (x: number) => (seen > 0 ? x / seen : 0).toFixed(1);
  return `Speed: ${per(times.preprocess)}/${per(times.inference)}/${per(times.nms)} ms pre-process/inference/NMS per ${imgSize}x${imgSize} image at batch-size ${batchSize}`;
}
