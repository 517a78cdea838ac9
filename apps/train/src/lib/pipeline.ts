import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CLASS_NAMES, VigilUserError } from '@vigil/core';
import { checkDataset, datasetSources, ensureSyntheticData, formatDatasetReport, formatPrepareReport, loadDatasetYaml, prepareData } from '@vigil/dataset';
import { runPaths } from '@vigil/trainer';
import type { StageConfig, TrainConfig } from './options.js';
import { phaseProgress } from './progress-bar.js';
import { incrementPath, latestRun } from './run-dir.js';
import { runStage, type StageData } from './stage.js';

/** Where a run's stage and paths were recorded (opt.json), for --resume. */
interface SavedRun extends Partial<Omit<TrainConfig, 'stage1' | 'stage2' | 'resume'>> {
  stage: 1 | 2;
  stageConfig: StageConfig;
  trainImages: string | string[];
  valImages: string | string[];
  /** class names and skipped images of the stage's data (older runs: the competition's names, nothing skipped) */
  names?: string[];
  exclude?: string[];
  weights?: string;
}

/** Competition layout: stage 1 on the diet set, stage 2 on the full train set, both validated on the val split. */
function competitionData(cfg: TrainConfig, stage: 1 | 2): StageData & { train: string } {
  const prepared = cfg.preparedDir;
  const train = join(prepared, stage === 1 ? 'drowsy_face_diet' : 'drowsy_face', 'images', 'train');
  return { train, val: join(prepared, 'drowsy_face', 'images', 'val'), names: [...CLASS_NAMES], exclude: [] };
}

/**
 * A dataset YAML's train and val splits, checked before any training (issue 9): one report of every problem; images
 * that cannot be used are skipped (passed to the loader as `exclude`), a split without any usable image stops.
 */
export async function datasetYamlData(file: string, flag: string): Promise<StageData> {
  const config = await loadDatasetYaml(file);
  const train = await datasetSources(config, 'train');
  const val = await datasetSources(config, 'val');
  console.log(`checking ${flag} ${file} (${config.nc} classes: ${config.names.join(', ')})`);
  const report = await checkDataset(config, { splits: ['train', 'val'], onProgress: phaseProgress('  ') });
  console.log(formatDatasetReport(report));
  for (const sc of report.splits) {
    if (sc.usable === 0) throw new VigilUserError(`${file}: the ${sc.split} split has no usable image (${sc.images} image files found; see the report above)`, file);
  }
  return { train, val, names: config.names, exclude: report.splits.flatMap((sc) => sc.skippedFiles), source: file };
}

/** The data of stage `stage`: the competition layout, else the --data / --fine-tune-data YAML. */
async function stageData(cfg: TrainConfig, stage: 1 | 2): Promise<StageData> {
  if (!cfg.data) return competitionData(cfg, stage);
  if (stage === 1) return datasetYamlData(cfg.data, '--data');
  return datasetYamlData(cfg.fineTuneData ?? cfg.data, '--fine-tune-data');
}

/** Stage 2 fine-tunes stage 1's Detect head: both datasets must number their classes alike. */
function checkSameClasses(a: StageData, b: StageData): void {
  if (a.names.length !== b.names.length) {
    throw new VigilUserError(`--fine-tune-data ${b.source} has ${b.names.length} classes but --data ${a.source} has ${a.names.length}: the fine-tune stage needs the same classes`);
  }
  const differ = a.names.findIndex((n, i) => n !== b.names[i]);
  if (differ >= 0) console.log(`warning: class ${differ} is '${a.names[differ]}' in ${a.source} but '${b.names[differ]}' in ${b.source}; the fine-tuned model keeps the names of --data`);
}

/**
 * The original's train.py `__main__`: data preparation → stage 1 (baseline on the diet set) → stage 2 (fine-tune
 * from stage 1's EMA weights on the full train set, layers frozen). `--resume` continues the interrupted stage (and
 * runs stage 2 afterwards when stage 1 was interrupted).
 */
export async function runTraining(cfgIn: TrainConfig): Promise<void> {
  let cfg = cfgIn;
  const t0 = performance.now();
  const prepared = cfg.preparedDir;
  let data1: StageData;
  let data2: StageData | undefined;
  let stage1Dir: string | undefined;
  let resume1: string | undefined;
  let resume2: string | undefined;
  let stage2Weights: string | undefined;

  if (cfg.resume) {
    const ckpt = cfg.resume === true ? latestRun(cfg.project) : cfg.resume;
    if (!ckpt || !existsSync(ckpt)) throw new VigilUserError(`--resume: ${cfg.resume === true ? `no weights/last.vckpt under ${cfg.project}` : `${cfg.resume} does not exist`}`);
    const runDir = dirname(dirname(ckpt));
    const optFile = join(runDir, 'opt.json');
    if (!existsSync(optFile)) throw new VigilUserError(`--resume: ${optFile} is missing; cannot tell which stage ${ckpt} belongs to`);
    const saved = JSON.parse(readFileSync(optFile, 'utf8')) as SavedRun;
    console.log(`Resuming training from ${ckpt} (stage ${saved.stage}; settings from ${optFile}, as the original's opt.yaml)`);
    // the interrupted run's settings replace the command line's (the original reloads opt.yaml)
    const { stage, stageConfig, trainImages: _t, valImages: _v, weights: _w, names: _n, exclude: _e, ...rest } = saved;
    cfg = { ...cfg, ...rest, resume: cfg.resume, backend: cfg.backend, stage1: stage === 1 ? stageConfig : cfg.stage1, stage2: stage === 2 ? stageConfig : cfg.stage2 };
    if (saved.stage === 1) {
      stage1Dir = runDir;
      resume1 = ckpt;
    } else {
      resume2 = ckpt;
      stage2Weights = saved.weights;
    }
    const savedData: StageData = { train: saved.trainImages, val: saved.valImages, names: saved.names ?? [...CLASS_NAMES], exclude: saved.exclude ?? [] };
    if (resume2) {
      await runStage({ cfg, stage: cfg.stage2, data: savedData, runDir, resume: resume2, weights: stage2Weights });
      return done(t0);
    }
    data1 = savedData;
    if (cfg.stage2.epochs > 0) data2 = await stageData(cfg, 2);
  } else if (cfg.data) {
    // any YOLO dataset: both stages' data are checked before training starts
    data1 = await stageData(cfg, 1);
    if (cfg.stage2.epochs > 0) {
      data2 = await stageData(cfg, 2);
      checkSameClasses(data1, data2);
    }
  } else {
    const full = competitionData(cfg, 2);
    data1 = competitionData(cfg, 1);
    data2 = full;
    if (cfg.synthetic) {
      console.log(`embedded synthetic data set: ${cfg.dataRoot} (generated on first use)`);
      const s = await ensureSyntheticData(cfg.dataRoot, { train: cfg.synthTrain, test: cfg.synthTest, seed: 0, onProgress: phaseProgress('  synthetic ') });
      console.log(`  ${s.config.train} train + ${s.config.test} test images`);
    }
    if (cfg.prepare) {
      console.log(`preparing data: ${join(cfg.dataRoot, 'task03_train')} → ${prepared}`);
      const report = await prepareData({ trainDir: join(cfg.dataRoot, 'task03_train'), outDir: prepared, valCount: cfg.valCount, dietSource: cfg.dietSource, onProgress: phaseProgress('  prepare ') });
      console.log(formatPrepareReport(report));
    } else if (!existsSync(full.train)) {
      throw new VigilUserError(`--no_data_prepare: ${full.train} does not exist; run once without --no_data_prepare (or give --prepared-dir)`);
    }
  }

  let stage1Weights = cfg.weights || undefined;
  if (cfg.stage1.epochs > 0) {
    const runDir = stage1Dir ?? incrementPath(join(cfg.project, cfg.name));
    await runStage({ cfg, stage: cfg.stage1, data: data1, runDir, weights: resume1 ? undefined : stage1Weights, resume: resume1 });
    stage1Weights = runPaths(runDir).last;
  }
  console.log('### base train completed');
  if (cfg.stage2.epochs > 0 && data2) {
    console.log('### fine-tuning start');
    const runDir = incrementPath(join(cfg.project, cfg.name));
    await runStage({ cfg, stage: cfg.stage2, data: data2, runDir, weights: stage1Weights });
  }
  done(t0);
}

function done(t0: number): void {
  console.log(`done in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
}
