import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { savePlotBatch, YoloDataset } from '@vigil/dataset';
import { evaluationPlots, formatMetricsTable } from '@vigil/evaluator';
import {
  composeHooks,
  evaluateModel,
  fit,
  formatProgressLine,
  labelsHistogramSvg,
  PROGRESS_HEADER,
  runFileHooks,
  runPaths,
  type FitResult,
  type TrainHooks,
} from '@vigil/trainer';
import { loadCheckpoint, loadSpec, modelFromCheckpoint, readWeightsFile, resolveSpec, resolveSpecPath, transferWeights, YoloModel } from '@vigil/yolov5';
import { writeSvgAsPng } from './images.js';
import type { StageConfig, TrainConfig } from './options.js';
import { phaseProgress, ProgressBar } from './progress-bar.js';
import { anchorData, classCounts, trainSource, valBatches } from './sources.js';

/** The images of one stage and their classes. */
export interface StageData {
  /** training images: folder(s) or .txt list(s) (competition: the diet set for stage 1, the full train set for stage 2) */
  train: string | string[];
  /** validation images */
  val: string | string[];
  /** class names, index = class id (the Detect head gets names.length classes) */
  names: string[];
  /** image files to leave out (the dataset check's skipped files) */
  exclude: string[];
  /** the dataset YAML it came from (--data / --fine-tune-data) */
  source?: string;
}

/** Inputs of one stage. */
export interface StageRun {
  cfg: TrainConfig;
  stage: StageConfig;
  data: StageData;
  runDir: string;
  /** initial weights (stage 2: stage 1's stripped last.vckpt) */
  weights?: string;
  /** resume from this checkpoint */
  resume?: string;
}

const log = (s: string) => console.log(s);

/**
 * The model of a stage: resumed, or built from --cfg with the data's classes (Detect head sized from nc) and, with
 * weights, every tensor whose name and shape match loaded into it — anchors from --cfg, as the original's
 * `intersect_dicts(..., exclude=['anchor'])` (a head for other classes is left at its initialisation). A YOLOv5 `.pt`
 * without --cfg brings its own architecture and anchors (the original's `Model(cfg or ckpt['model'].yaml, nc=nc)`).
 */
function buildModel(r: StageRun): YoloModel {
  const names = [...r.data.names];
  if (r.resume) return modelFromCheckpoint(loadCheckpoint(r.resume), r.resume);
  const file = r.weights ? readWeightsFile(r.weights) : undefined;
  const ownSpec = file?.kind === 'pytorch' && !r.cfg.cfgGiven ? file.spec : undefined;
  const specPath = ownSpec ? undefined : resolveSpecPath(r.cfg.cfg);
  if (!ownSpec && !specPath) throw new VigilUserError(`--cfg ${r.cfg.cfg}: no such file or shipped model spec (e.g. yolov5l6, yolov5n6)`);
  const spec = ownSpec ? resolveSpec(ownSpec, { nc: names.length, source: `${r.weights} (embedded yaml)` }) : loadSpec(specPath!, { nc: names.length });
  const model = YoloModel.create(spec, { seed: r.cfg.seed, names });
  if (file) {
    try {
      const res = transferWeights(model, file, { anchors: !!ownSpec, modelName: ownSpec ? `${r.weights}'s own architecture` : `--cfg ${r.cfg.cfg}` });
      const head = res.reinitialised.length ? `; ${res.reinitialised.length} of another shape re-initialised (the Detect head for ${names.length} classes)` : '';
      log(`  transferred ${res.loaded.length}/${res.total} tensors from ${r.weights}${head} (${ownSpec ? 'architecture and anchors from the file' : 'anchors from --cfg, as the original'})`);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}

/** Trains one stage into `runDir` (weights/last.vckpt, best.vckpt, results.csv/png, labels.png, train_batch*.jpg). */
export async function runStage(r: StageRun): Promise<FitResult & { runDir: string }> {
  const { cfg, stage } = r;
  mkdirSync(r.runDir, { recursive: true });
  const d = r.data;
  writeFileSync(
    join(r.runDir, 'opt.json'),
    JSON.stringify({ ...cfg, resume: undefined, stage: stage.index, stage1: undefined, stage2: undefined, stageConfig: stage, trainImages: d.train, valImages: d.val, names: d.names, exclude: d.exclude, weights: r.weights }, null, 2),
  );
  log(`\nstage ${stage.index}: ${stage.index === 1 ? 'baseline' : 'fine-tune'} → ${r.runDir}`);
  log(`  hyperparameters: ${stage.hypSource}; ${Object.entries(stage.hyp).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const nc = d.names.length;
  const train = await YoloDataset.open(d.train, { imgSize: cfg.img, augment: true, nc, exclude: d.exclude, onProgress: phaseProgress('  train labels: ') });
  const val = await YoloDataset.open(d.val, { imgSize: cfg.img, augment: false, nc, exclude: d.exclude, onProgress: phaseProgress('  val labels: ') });
  const where = (x: string | string[]) => (Array.isArray(x) ? x.join(', ') : x);
  log(`  train: ${train.length} images (${where(d.train)}); val: ${val.length} images (${where(d.val)}); ${nc} classes: ${d.names.join(', ')}`);
  if (train.length === 0) throw new VigilUserError(`no training images with labels in ${where(d.train)}`);
  const model = buildModel(r);
  const names = model.names;
  const stride = Math.max(...model.strides);
  const source = trainSource(train, { batch: cfg.batch, epochParts: stage.epochParts, imgSize: cfg.img, hyp: stage.hyp, workers: cfg.workers });
  let pbar: ProgressBar | undefined;
  const plots: Promise<void>[] = [];
  const ui: TrainHooks = {
    onFitStart: async (i) => {
      log(`  ${i.nb} batches of ${cfg.batch} per epoch, warmup ${i.nw} iterations, nominal batch ${cfg.nbs} (accumulate ${i.accumulate}), frozen layers: ${stage.freeze.join(',') || 'none'}`);
      if (i.startEpoch === 0 && !r.resume) {
        await writeSvgAsPng(join(r.runDir, 'labels.png'), labelsHistogramSvg(classCounts(train, names.length), names));
      }
    },
    onBatchEnd: (b) => {
      if (b.i === 0) {
        log(PROGRESS_HEADER);
        pbar = new ProgressBar('', b.nb);
      }
      const line = formatProgressLine({ epoch: b.epoch, epochs: b.epochs, memGb: process.memoryUsage().rss / 1e9, mloss: b.mloss, labels: b.batch.numTargets, imgSize: b.batch.shape[2] });
      pbar!.update(b.i + 1, line);
      if (b.ni < 3) {
        // a copy: the loader recycles the images array once the next batch is requested (trainSource)
        plots.push(savePlotBatch(join(r.runDir, `train_batch${b.ni}.jpg`), b.batch.images.slice(), b.batch.shape, b.batch.targets.subarray(0, b.batch.numTargets * 6), { files: b.batch.files, names }));
      }
    },
    onEpochEnd: (e) => {
      if (e.validation) {
        const m = e.validation.metrics;
        log(`  epoch ${e.epoch}: P ${m.precision.toFixed(3)} R ${m.recall.toFixed(3)} mAP@.5 ${m.map50.toFixed(3)} mAP@.75 ${m.map75.toFixed(3)} mAP@.5:.95 ${m.map50_95.toFixed(3)}${e.isBest ? ' (best)' : ''}`);
      }
    },
  };
  const files = runFileHooks({ dir: r.runDir, savePeriod: stage.savePeriod, onResultsSvg: (svg) => writeSvgAsPng(join(r.runDir, 'results.png'), svg) });
  try {
    const res = await fit({
      model,
      hyp: stage.hyp,
      epochs: stage.epochs,
      batchSize: cfg.batch,
      imgSize: cfg.img,
      source,
      seed: cfg.seed + stage.index * 1000,
      optimizer: cfg.optimizer,
      linearLr: cfg.linearLr,
      nbs: cfg.nbs,
      warmupMinIters: cfg.warmupMinIters,
      freeze: stage.freeze,
      anchorData: cfg.autoanchor ? anchorData(train) : undefined,
      valPeriod: cfg.valPeriod,
      resume: r.resume ? loadCheckpoint(r.resume) : undefined,
      log: (s) => log(`  ${s}`),
      validate: async (m, info) => {
        const vb = new ProgressBar(`  validating (epoch ${info.epoch}) `, val.length);
        const ev = await evaluateModel(m, valBatches(val, cfg.batch, stride, cfg.workers), { names, confThres: cfg.valConf, iouThres: cfg.valIou, onBatch: (d) => vb.update(d) });
        if (info.final) {
          const p = evaluationPlots(ev.metrics.curves, names, ev.confusion);
          await Promise.all(Object.entries(p).map(([k, svg]) => writeSvgAsPng(join(r.runDir, `${k}.png`), svg)));
        }
        return { metrics: ev.metrics };
      },
      hooks: composeHooks(files, ui),
    });
    await Promise.all(plots);
    if (res.lastValidation) log(`\nstage ${stage.index} validation (EMA weights, conf ${cfg.valConf}, IoU ${cfg.valIou}):\n${formatMetricsTable(res.lastValidation.metrics)}`);
    log(`  weights: ${runPaths(r.runDir).last}${res.bestFitness > 0 ? `, ${runPaths(r.runDir).best}` : ''}`);
    return { ...res, runDir: r.runDir };
  } catch (e) {
    if (e instanceof VigilUserError && /training stopped/.test(e.message)) {
      throw new VigilUserError(`${e.message}; last good checkpoint: ${runPaths(r.runDir).last}`);
    }
    throw e;
  } finally {
    model.dispose();
  }
}
