import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLASS_NAMES, VigilUserError } from '@vigil/core';
import { checkDataset, datasetSources, ensureSyntheticData, formatDatasetReport, formatPrepareReport, loadDatasetYaml, prepareData } from '@vigil/dataset';
import { RUN_MANIFEST, runPaths, stageDirs, stageProgress, writeRunManifest } from '@vigil/trainer';
import type { TrainConfig } from './options.js';
import { phaseProgress } from './progress-bar.js';
import { discardRun, type TrainRun } from './run-dir.js';
import { runStage, type StageData } from './stage.js';

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
 * Each stage's data: for the competition layout the synthetic set is generated (first use) and the data prepared
 * (unless --no_data_prepare); for --data / --fine-tune-data both YAMLs are checked before any training.
 */
async function resolveRunData(cfg: TrainConfig): Promise<Partial<Record<'1' | '2', StageData>>> {
  if (cfg.data) {
    const data1 = await stageData(cfg, 1);
    if (cfg.stage2.epochs === 0) return { '1': data1 };
    const data2 = await stageData(cfg, 2);
    checkSameClasses(data1, data2);
    return { '1': data1, '2': data2 };
  }
  const full = competitionData(cfg, 2);
  if (cfg.synthetic) {
    console.log(`embedded synthetic data set: ${cfg.dataRoot} (generated on first use)`);
    const s = await ensureSyntheticData(cfg.dataRoot, { train: cfg.synthTrain, test: cfg.synthTest, seed: 0, onProgress: phaseProgress('  synthetic ') });
    console.log(`  ${s.config.train} train + ${s.config.test} test images`);
  }
  if (cfg.prepare) {
    console.log(`preparing data: ${join(cfg.dataRoot, 'task03_train')} → ${cfg.preparedDir}`);
    const report = await prepareData({ trainDir: join(cfg.dataRoot, 'task03_train'), outDir: cfg.preparedDir, outFlag: '--prepared-dir', valCount: cfg.valCount, dietSource: cfg.dietSource, onProgress: phaseProgress('  prepare ') });
    console.log(formatPrepareReport(report));
  } else if (!existsSync(full.train)) {
    throw new VigilUserError(`--no_data_prepare: ${full.train} does not exist; run once without --no_data_prepare (or give --prepared-dir)`);
  }
  return { '1': competitionData(cfg, 1), '2': full };
}

/**
 * The original's train.py `__main__` in one run folder (run.json, see {@link createRun}): data preparation → stage 1
 * (baseline on the diet set) → stage 2 (fine-tune from stage 1's EMA weights on the full train set, layers frozen).
 * Resumed ({@link openRun}), every step continues from where the files say it got: the data is taken from run.json
 * once resolved, a finished stage (stripped last.vckpt) is skipped, an interrupted one continues from its last.vckpt,
 * one that had not written a checkpoint yet starts over — with the run's own settings, so the result is the
 * uninterrupted run's.
 */
export async function runTraining(run: TrainRun): Promise<void> {
  const { cfg, dir, manifest } = run;
  const t0 = performance.now();
  if (!manifest.data) {
    try {
      manifest.data = await resolveRunData(cfg);
    } catch (e) {
      // bad data found before any training: a fresh run leaves no run folder behind to be resumed
      if (e instanceof VigilUserError && !cfg.resume) discardRun(run);
      throw e;
    }
    writeRunManifest(dir, manifest);
  }
  let weights = cfg.weights || undefined;
  for (const { index, dir: stageDir } of stageDirs(dir, manifest)) {
    const stage = index === 1 ? cfg.stage1 : cfg.stage2;
    const data = manifest.data[String(index) as '1' | '2'];
    if (!data) throw new VigilUserError(`${join(dir, RUN_MANIFEST)} has no data for stage ${index}`, join(dir, RUN_MANIFEST));
    if (index === 2) console.log('### fine-tuning start');
    const p = stageProgress(stageDir);
    if (p.state === 'finished') console.log(`\nstage ${index}: finished already (${p.weights})`);
    else {
      const resume = run.from && run.from.stageDir === stageDir ? run.from.checkpoint : p.state === 'resumable' ? p.checkpoint : undefined;
      await runStage({ cfg, stage, data, runDir: stageDir, weights: resume ? undefined : weights, resume });
    }
    weights = runPaths(stageDir).last;
    if (index === 1) console.log('### base train completed');
  }
  writeRunManifest(dir, { ...manifest, finished: true });
  console.log(`done in ${((performance.now() - t0) / 60000).toFixed(1)} min → ${dir}`);
}
