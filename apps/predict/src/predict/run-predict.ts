import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type Detections, emptyDetections, nonMaxSuppression, scaleCoords } from '@vigil/core';
import { ensemblePredict, runEnsemble } from '@vigil/ensembler';
import { oneLine, saveDetectionsImage } from '@vigil/dataset';
import { type ImageEntry, type PlannedBatch, type PreparedImage, planBatches, prepareImage, stackImages } from './images.js';
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

/**
 * The original predict.py loop: rect batches → letterbox → the ensemble (every model × TTA pass, concatenated) →
 * multi-label NMS → boxes back to original pixels → one record per image, in the loader's (rect) order. Images whose
 * header or pixels cannot be read are reported through `onSkip` and written with no objects; the run goes on.
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
  const nc = loaded.names.length;
  const nms = { numClasses: nc, confThres: o.confThres, iouThres: o.iouThres, maxDet: 300, multiLabel: true };
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
    let t = performance.now();
    const settled = await pending!;
    pending = bi + 1 < batches.length ? prepare(batches[bi + 1]!) : undefined;
    const ready: PreparedImage[] = [];
    settled.forEach((s, k) => {
      if (s.status === 'fulfilled') ready.push(s.value);
      else skip(batch.images[k]!.file, oneLine((s.reason as Error).message));
    });
    if (ready.length === 0) {
      done += batch.images.length;
      bar?.update(done);
      continue;
    }
    const [H, W] = batch.shape;
    const x = tf.tensor4d(stackImages(ready, batch.shape), [ready.length, H, W, 3]);
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
    seen += ready.length;
    for (let i = 0; i < ready.length; i++) {
      const im = ready[i]!;
      const det = toOriginalPixels(perImage[i]!, im);
      detections.set(im.entry.file, det);
      records.push(predictionRecord(im.entry.file, det, loaded.names, o.emptyObjects, o.fileName));
      if (o.saveImgDir) {
        const boxes = Array.from({ length: det.count }, (_, j) => ({
          box: [det.boxes[4 * j]!, det.boxes[4 * j + 1]!, det.boxes[4 * j + 2]!, det.boxes[4 * j + 3]!] as [number, number, number, number],
          cls: det.classes[j]!,
          conf: det.scores[j]!,
        }));
        try {
          await saveDetectionsImage(im.entry.file, join(o.saveImgDir, `${basename(im.entry.file, extname(im.entry.file))}.jpg`), boxes, { names: loaded.names });
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

/**
 * The speed line: ms per image for pre-process / inference / NMS (the original prints inference/NMS/total).
 * Pre-process counts the time the loop waits for a batch's images (the next batch is prepared during inference).
 */
export function speedLine(times: StageTimes, seen: number, imgSize: number, batchSize: number): string {
  const per = (x: number) => (seen > 0 ? x / seen : 0).toFixed(1);
  return `Speed: ${per(times.preprocess)}/${per(times.inference)}/${per(times.nms)} ms pre-process/inference/NMS per ${imgSize}x${imgSize} image at batch-size ${batchSize}`;
}
