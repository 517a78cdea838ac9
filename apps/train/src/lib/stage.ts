import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASS_NAMES, VigilUserError } from '@vigil/core';
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
import { loadCheckpoint, loadModelFile, loadSpec, loadWeightsInto, modelFromCheckpoint, resolveSpecPath, YoloModel } from '@vigil/yolov5';
import { writeSvgAsPng } from './images.js';
import type { StageConfig, TrainConfig } from './options.js';
import { phaseProgress, ProgressBar } from './progress-bar.js';
import { anchorData, classCounts, trainSource, valBatches } from './sources.js';

/** Inputs of one stage. */
export interface StageRun {
  cfg: TrainConfig;
  stage: StageConfig;
  /** images folder of the training set (diet set for stage 1, full train set for stage 2) */
  trainImages: string;
  valImages: string;
  runDir: string;
  /** initial weights (stage 2: stage 1's stripped last.vckpt) */
  weights?: string;
  /** resume from this checkpoint */
  resume?: string;
}

const log = (s: string) => console.log(s);

/** The model of a stage: resumed, from weights (anchors from --cfg, as the original's exclude=['anchor']), or from scratch. */
function buildModel(r: StageRun): YoloModel {
  const names = [...CLASS_NAMES];
  if (r.resume) return modelFromCheckpoint(loadCheckpoint(r.resume), r.resume);
  const specPath = resolveSpecPath(r.cfg.cfg);
  if (!specPath) throw new VigilUserError(`--cfg ${r.cfg.cfg}: no such file or shipped model spec (e.g. yolov5l6, yolov5n6)`);
  if (r.weights && !r.weights.endsWith('.vckpt')) {
    const { model } = loadModelFile(r.weights);
    return model;
  }
  const model = YoloModel.create(loadSpec(specPath, { nc: names.length }), { seed: r.cfg.seed, names });
  if (r.weights) {
    const res = loadWeightsInto(model, loadCheckpoint(r.weights), { mode: 'intersect', anchors: false, source: r.weights });
    log(`  transferred ${res.loaded.length}/${model.variableNames().length} tensors from ${r.weights} (anchors from --cfg, as the original)`);
  }
  return model;
}

/** Trains one stage into `runDir` (weights/last.vckpt, best.vckpt, results.csv/png, labels.png, train_batch*.jpg). */
export async function runStage(r: StageRun): Promise<FitResult & { runDir: string }> {
  const { cfg, stage } = r;
  mkdirSync(r.runDir, { recursive: true });
  writeFileSync(join(r.runDir, 'opt.json'), JSON.stringify({ ...cfg, resume: undefined, stage: stage.index, stage1: undefined, stage2: undefined, stageConfig: stage, trainImages: r.trainImages, valImages: r.valImages, weights: r.weights }, null, 2));
  log(`\nstage ${stage.index}: ${stage.index === 1 ? 'baseline' : 'fine-tune'} → ${r.runDir}`);
  log(`  hyperparameters: ${stage.hypSource}; ${Object.entries(stage.hyp).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  const train = await YoloDataset.open(r.trainImages, { imgSize: cfg.img, augment: true, onProgress: phaseProgress('  train labels: ') });
  const val = await YoloDataset.open(r.valImages, { imgSize: cfg.img, augment: false, onProgress: phaseProgress('  val labels: ') });
  log(`  train: ${train.length} images (${r.trainImages}); val: ${val.length} images`);
  if (train.length === 0) throw new VigilUserError(`no training images with labels in ${r.trainImages}`);
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
