import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { ensureSyntheticData, formatPrepareReport, prepareData } from '@vigil/dataset';
import { runPaths } from '@vigil/trainer';
import type { StageConfig, TrainConfig } from './options.js';
import { phaseProgress } from './progress-bar.js';
import { incrementPath, latestRun } from './run-dir.js';
import { runStage } from './stage.js';

/** Where a run's stage and paths were recorded (opt.json), for --resume. */
interface SavedRun extends Partial<Omit<TrainConfig, 'stage1' | 'stage2' | 'resume'>> {
  stage: 1 | 2;
  stageConfig: StageConfig;
  trainImages: string;
  valImages: string;
  weights?: string;
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
  const diet = join(prepared, 'drowsy_face_diet', 'images', 'train');
  const full = join(prepared, 'drowsy_face', 'images', 'train');
  const val = join(prepared, 'drowsy_face', 'images', 'val');
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
    const { stage, stageConfig, trainImages: _t, valImages: _v, weights: _w, ...rest } = saved;
    cfg = { ...cfg, ...rest, resume: cfg.resume, backend: cfg.backend, stage1: stage === 1 ? stageConfig : cfg.stage1, stage2: stage === 2 ? stageConfig : cfg.stage2 };
    if (saved.stage === 1) {
      stage1Dir = runDir;
      resume1 = ckpt;
    } else {
      resume2 = ckpt;
      stage2Weights = saved.weights;
    }
    if (resume2) {
      await runStage({ cfg, stage: cfg.stage2, trainImages: saved.trainImages, valImages: saved.valImages, runDir, resume: resume2, weights: stage2Weights });
      return done(t0);
    }
  } else {
    if (cfg.synthetic) {
      console.log(`embedded synthetic data set: ${cfg.dataRoot} (generated on first use)`);
      const s = await ensureSyntheticData(cfg.dataRoot, { train: cfg.synthTrain, test: cfg.synthTest, seed: 0, onProgress: phaseProgress('  synthetic ') });
      console.log(`  ${s.config.train} train + ${s.config.test} test images`);
    }
    if (cfg.prepare) {
      console.log(`preparing data: ${join(cfg.dataRoot, 'task03_train')} → ${prepared}`);
      const report = await prepareData({ trainDir: join(cfg.dataRoot, 'task03_train'), outDir: prepared, valCount: cfg.valCount, dietSource: cfg.dietSource, onProgress: phaseProgress('  prepare ') });
      console.log(formatPrepareReport(report));
    } else if (!existsSync(full)) {
      throw new VigilUserError(`--no_data_prepare: ${full} does not exist; run once without --no_data_prepare (or give --prepared-dir)`);
    }
  }

  let stage1Weights = cfg.weights || undefined;
  if (cfg.stage1.epochs > 0) {
    const runDir = stage1Dir ?? incrementPath(join(cfg.project, cfg.name));
    await runStage({ cfg, stage: cfg.stage1, trainImages: diet, valImages: val, runDir, weights: resume1 ? undefined : stage1Weights, resume: resume1 });
    stage1Weights = runPaths(runDir).last;
  }
  console.log('### base train completed');
  if (cfg.stage2.epochs > 0) {
    console.log('### fine-tuning start');
    const runDir = incrementPath(join(cfg.project, cfg.name));
    await runStage({ cfg, stage: cfg.stage2, trainImages: full, valImages: val, runDir, weights: stage1Weights });
  }
  done(t0);
}

function done(t0: number): void {
  console.log(`done in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
}
