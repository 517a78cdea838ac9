import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { VigilUserError } from '@vigil/core';
import { checkMemoryFits } from '@vigil/yolov5';
import { findFfmpeg, listImageFiles, listMediaFiles, resolveDataRoot } from '@vigil/dataset';
import { formatMetricsTable, scoreCompetitionFiles } from '@vigil/evaluator';
import { scanImages, selectShard } from './images.js';
import { loadModels } from './models.js';
import { type PredictOptions, testImagesOf } from './options.js';
import { checkOutputNames, checkVideoFrameNames, competitionFileName, predictionsFileName, predictionsText, writeFileAtomic } from './output.js';
import { type PredictRunOptions, type PredictRunResult, predictImages, predictVideo, speedLine } from './run-predict.js';
import { nearMatchWarning } from '../commands/score.js';
import { checkDatasetClasses, type DatasetTask, resolveDatasetTask, scoreDatasetTask } from './dataset-task.js';

/** What a prediction run wrote. */
export interface PredictCommandResult {
  outFile: string;
  images: number;
  skipped: number;
  /** The competition metric when the predictions were scored. */
  map75?: number;
  /** mAP@0.5 when the predictions were scored. */
  map50?: number;
}

/** Where the messages go (stdout/stderr by default; tests capture them). */
export interface Log {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Appends one run's records, detections, times and counts to another's. */
function addRun(into: PredictRunResult, run: PredictRunResult): void {
  into.records.push(...run.records);
  for (const [k, v] of run.detections) into.detections.set(k, v);
  into.times.preprocess += run.times.preprocess;
  into.times.inference += run.times.inference;
  into.times.nms += run.times.nms;
  into.seen += run.seen;
  into.skipped.push(...run.skipped);
}

/** Frames done of a video on stderr (the count is unknown before decoding): in place on a terminal, else every 10 s. */
function videoProgress(): (video: string, frames: number) => void {
  let last = performance.now();
  return (video, frames) => {
    if (process.stderr.isTTY) process.stderr.write(`\rvideo ${video}: ${frames} frames`);
    else if (performance.now() - last >= 10_000) {
      last = performance.now();
      process.stderr.write(`video ${video}: ${frames} frames\n`);
    }
  };
}

const consoleLog: Log = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/**
 * `vigil-predict` without a subcommand: the original's predict.py run end to end — resolve the images (default: the
 * test images of the data root, the embedded synthetic set when there is no competition data), load and fuse the
 * models, predict (rect batches, TTA, ensemble, NMS), write `<project>/<name>/<weights stem>_predictions.json`, print
 * the speed line, and score it when labels are given (or the synthetic test labels exist).
 */
export async function runPredictCommand(o: PredictOptions, log: Log = consoleLog): Promise<PredictCommandResult> {
  let source: string | string[] | undefined = o.source;
  let labels = o.labels;
  let task: DatasetTask | undefined;
  if (o.data) {
    task = await resolveDatasetTask(o.data, o.task);
    source = task.sources;
    log.err(`images: the ${o.task} split of ${task.config.file} (${task.sources.join(', ')})`);
  } else if (!source) {
    const root = await resolveDataRoot(o.dataRoot);
    source = testImagesOf(root.root);
    if (!existsSync(source)) throw new VigilUserError(`${source} does not exist: pass --source <images folder> or a --data-root holding task03_test/images`, source);
    const synthLabels = join(root.root, 'task03_test', 'labels.json');
    if (!labels && root.synthetic && existsSync(synthLabels)) labels = synthLabels;
    log.err(`images: ${source}${root.synthetic ? ' (embedded synthetic test set)' : ''}`);
  }
  // a file, folder, glob or .txt list each (a dataset's split: its images)
  const media = task ? { images: await listImageFiles(source), videos: [] } : await listMediaFiles(source);
  const all = media.images;
  const videos = media.videos;
  // a dataset's images keep their own names (the competition's rule writes every image as <stem>.jpg)
  const fileName = task ? basename : competitionFileName;
  // every image of the run (all shards) must get its own record, and its own picture with --save-img
  checkOutputNames(all, fileName, 'file_name');
  if (o.saveImg) checkOutputNames(all, (f) => `${basename(f, extname(f))}.jpg`, '--save-img picture');
  if (videos.length > 0) {
    if (o.shard) throw new VigilUserError(`--shard splits a list of images; predict the video${videos.length > 1 ? 's' : ''} (${videos.join(', ')}) in a run without --shard`);
    checkVideoFrameNames(all, videos, fileName);
    const ffmpeg = findFfmpeg(); // a missing ffmpeg is one line, before the models load
    log.err(`videos: ${videos.join(', ')} (every frame, in order, decoded by ${ffmpeg.path}; records <video stem>_<frame 000000>.jpg)`);
  }
  const files = selectShard(all, o.shard);
  const total = all.length;
  const loaded = loadModels(o.weights);
  try {
    if (task) checkDatasetClasses(task, loaded.names, log.err);
    log.err(
      `models: ${o.weights.join(', ')} (${loaded.names.length} classes, max stride ${loaded.maxStride}); ensemble ${o.ensemble}, TTA ${o.augment ? 'on' : 'off'}; ` +
        `img ${o.imgSize}, conf ${o.confThres}, IoU ${o.iouThres}, batch ${o.batchSize}${o.shard ? `; shard ${o.shard.index}/${o.shard.count}: ${files.length} of ${total} images` : ''}`,
    );
    // the original's check_img_size: a multiple of the grid size (the largest stride), rounded up
    const imgSize = Math.ceil(o.imgSize / loaded.maxStride) * loaded.maxStride;
    if (imgSize !== o.imgSize) log.err(`warning: --img-size ${o.imgSize} must be a multiple of max stride ${loaded.maxStride}, updating to ${imgSize}`);
    // before any image is read: a batch at this size must fit the backend's memory (the wasm32 heap of accel / wasm)
    for (const [i, m] of loaded.models.entries()) {
      checkMemoryFits(m.spec, { img: imgSize, batch: o.batchSize, mode: 'predict', backend: tf.getBackend(), what: o.weights[i]!, imgStep: loaded.maxStride, flags: { img: '--img-size', batch: '--batch-size' } });
    }
    const saveDir = join(o.project, o.name);
    const runOptions: PredictRunOptions = {
      imgSize,
      confThres: o.confThres,
      iouThres: o.iouThres,
      batchSize: o.batchSize,
      augment: o.augment,
      ensemble: o.ensemble,
      emptyObjects: o.emptyObjects,
      saveImgDir: o.saveImg ? join(saveDir, 'images') : undefined,
      progress: o.progress,
      onSkip: (file, reason) => log.err(`warning: ${file}: cannot read the image (${reason}); written with no objects`),
      onVideoProgress: o.progress ? videoProgress() : undefined,
      fileName,
    };
    const run: PredictRunResult = { records: [], detections: new Map(), times: { preprocess: 0, inference: 0, nms: 0 }, seen: 0, skipped: [] };
    if (files.length > 0) addRun(run, await predictImages(await scanImages(files), loaded, runOptions));
    let frames = 0;
    for (const v of videos) {
      const r = await predictVideo(v, loaded, runOptions);
      if (runOptions.onVideoProgress && process.stderr.isTTY) process.stderr.write('\n');
      log.err(`video ${v}: ${r.records.length} frames${o.saveImg ? ` (annotated: ${join(saveDir, 'images', `${basename(v, extname(v))}.mp4`)})` : ''}`);
      frames += r.records.length;
      addRun(run, r);
    }
    const outFile = join(saveDir, predictionsFileName(o.weights[0]!, o.shard));
    writeFileAtomic(outFile, predictionsText(run.records, o.shard ? { ...o.shard, total } : undefined));
    log.out(speedLine(run.times, run.seen, imgSize, o.batchSize));
    if (run.skipped.length) log.err(`${run.skipped.length} image(s) could not be read and have no objects (listed above)`);
    log.out(`${run.records.length} images${frames ? ` (${frames} of them video frames)` : ''} → ${outFile}`);
    const result: PredictCommandResult = { outFile, images: run.records.length, skipped: run.skipped.length };
    if (task && o.shard) log.err('note: a shard covers part of the images; not scored');
    else if (task) {
      const score = await scoreDatasetTask(task, run.detections, loaded.names);
      if (!score) log.out(`no label files next to the ${o.task} images: predictions not scored`);
      else {
        log.out(`scored against the ${o.task} labels of ${task.config.file} (${score.images} images, ${score.labels} boxes; class names from the checkpoint):`);
        log.out(formatMetricsTable(score.metrics));
        result.map75 = score.metrics.map75;
        result.map50 = score.metrics.map50;
      }
    } else if (labels) {
      if (o.shard) log.err('note: a shard covers part of the images; score the merged file (vigil-predict merge) instead');
      else {
        const text = readFileSync(outFile, 'utf8');
        let labelsText: string;
        try {
          labelsText = readFileSync(labels, 'utf8');
        } catch (e) {
          throw new VigilUserError(`cannot read the labels file ${labels} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, labels);
        }
        const report = scoreCompetitionFiles({ text: labelsText, file: labels }, { text, file: outFile });
        const near = nearMatchWarning(report.missingImages, report.ignoredImages);
        if (near) log.err(near);
        log.out(`scored against ${labels}:`);
        log.out(formatMetricsTable(report.metrics));
        result.map75 = report.metrics.map75;
        result.map50 = report.metrics.map50;
      }
    }
    return result;
  } finally {
    loaded.dispose();
  }
}
