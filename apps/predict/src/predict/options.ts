import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { checkOutputDir } from '@vigil/dataset';
import type { EnsembleMethod } from '@vigil/ensembler';
import { latestRunDir, runFinalWeights, type RunKind } from '@vigil/trainer';
import { predictionsFileName, type EmptyObjects } from './output.js';

/** Where the default weights come from: the newest finished `vigil-train` run in this folder (its default --project). */
export const TRAIN_RUNS = 'runs/train';
/** Inference size for the embedded synthetic run's weights (they are trained at 320; 1536 is the original's). */
export const SYNTHETIC_IMG_SIZE = 320;
/** Inference size with --data (upstream YOLOv5 test.py's default). */
export const DATASET_IMG_SIZE = 640;

/** Everything a prediction run needs, validated. */
export interface PredictOptions {
  weights: string[];
  /** without --weights: the training run the default weights come from */
  weightsRun?: string;
  /** `--data`: a YOLOv5 dataset YAML; its `task` split is predicted (and scored against its label files). */
  data?: string;
  task: 'val' | 'test';
  /** Image or video files, folders, glob patterns, .txt lists (`listMediaFiles`); undefined = task03_test/images of the data root. */
  source?: string[];
  dataRoot?: string;
  imgSize: number;
  confThres: number;
  iouThres: number;
  batchSize: number;
  augment: boolean;
  ensemble: EnsembleMethod;
  project: string;
  name: string;
  saveImg: boolean;
  labels?: string;
  shard?: { index: number; count: number };
  emptyObjects: EmptyObjects;
  /** Progress bar on stderr (default true). */
  progress: boolean;
}

/** Parses `--shard i/n` (0 ≤ i < n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new VigilUserError(`--shard ${text}: expected i/n, e.g. 0/4 (shard i of n, counting from 0)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new VigilUserError(`--shard ${text}: need 0 ≤ i < n and n ≥ 1`);
  return { index, count };
}

function num(flag: string, value: unknown, opts: { min: number; max: number; integer?: boolean }): number {
  const x = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isFinite(x) || x < opts.min || x > opts.max || (opts.integer && !Number.isInteger(x))) {
    throw new VigilUserError(`${flag} ${String(value)}: expected ${opts.integer ? 'an integer' : 'a number'} in [${opts.min}, ${opts.max}]`);
  }
  return x;
}

/**
 * The final weights of the newest finished `vigil-train` run under {@link TRAIN_RUNS} for this kind of prediction:
 * a dataset's (`vigil-train --data`), or the competition's classes (the competition's or the embedded synthetic
 * set's run) — every stage's, an ensemble as the original. Without one, a user error saying how to get one.
 */
export function newestRunWeights(kind: 'dataset' | 'competition'): { dir: string; kind: RunKind; weights: string[] } {
  const kinds: RunKind[] = kind === 'dataset' ? ['dataset'] : ['competition', 'synthetic'];
  const run = latestRunDir(TRAIN_RUNS, { finished: true, kinds });
  if (!run) {
    throw new VigilUserError(
      `no --weights and no finished ${kind === 'dataset' ? '`vigil-train --data`' : '`vigil-train`'} run under ${TRAIN_RUNS}/ (a run folder with run.json): ` +
        'train first (`npm run demo`) or pass --weights <file.vckpt|file.pt> ...',
    );
  }
  return { dir: run.dir, kind: run.manifest.kind, weights: runFinalWeights(run.dir, run.manifest) };
}

/** Validates the raw commander options (strings) of the predict command; default weights must exist. */
export function parsePredictOptions(raw: Record<string, unknown>): PredictOptions {
  const data = raw['data'] as string | undefined;
  const given = raw['weights'] as string[] | undefined;
  let weights: string[];
  let weightsRun: string | undefined;
  let synthetic = false;
  if (given && given.length > 0) weights = given;
  else {
    const run = newestRunWeights(data !== undefined ? 'dataset' : 'competition');
    weights = run.weights;
    weightsRun = run.dir;
    synthetic = run.kind === 'synthetic';
  }
  const task = String(raw['task'] ?? 'val');
  if (task !== 'val' && task !== 'test') throw new VigilUserError(`--task ${task}: use val or test (the dataset YAML's split to predict)`);
  if (data === undefined && raw['task'] !== undefined) throw new VigilUserError('--task needs --data <dataset.yaml>');
  if (data !== undefined) {
    const clash = [['source', '--source'], ['dataRoot', '--data-root'], ['labels', '--labels']].filter(([k]) => raw[k!] !== undefined).map(([, f]) => f);
    if (clash.length) throw new VigilUserError(`--data takes the images and labels from the dataset YAML's ${task} split: drop ${clash.join(', ')}`);
  }
  const empty = String(raw['emptyObjects'] ?? 'dict');
  if (empty !== 'dict' && empty !== 'list') throw new VigilUserError(`--empty-objects ${empty}: use dict (the seed's {}) or list ([])`);
  return {
    weights,
    ...(weightsRun !== undefined ? { weightsRun } : {}),
    ...(data !== undefined ? { data } : {}),
    task,
    source: raw['source'] === undefined ? undefined : ([] as string[]).concat(raw['source'] as string | string[]),
    dataRoot: raw['dataRoot'] as string | undefined,
    imgSize: num('--img-size', raw['imgSize'] ?? (data !== undefined ? DATASET_IMG_SIZE : synthetic ? SYNTHETIC_IMG_SIZE : 1536), { min: 32, max: 8192, integer: true }),
    confThres: num('--conf-thres', raw['confThres'] ?? 0.006, { min: 0, max: 1 }),
    iouThres: num('--iou-thres', raw['iouThres'] ?? 0.7, { min: 0, max: 1 }),
    batchSize: num('--batch-size', raw['batchSize'] ?? 4, { min: 1, max: 1024, integer: true }),
    augment: raw['augment'] !== false,
    ensemble: (raw['ensemble'] as EnsembleMethod | undefined) ?? 'concat',
    project: String(raw['project'] ?? 'runs/test'),
    name: String(raw['name'] ?? 'final'),
    saveImg: raw['saveImg'] === true,
    labels: raw['labels'] as string | undefined,
    shard: raw['shard'] !== undefined ? parseShard(String(raw['shard'])) : undefined,
    emptyObjects: empty,
    progress: raw['progress'] !== false,
  };
}

/**
 * Checks, before any inference, that the outputs can be written: `--project` and `<project>/<name>` are (or become)
 * writable folders, and the predictions file (and the --save-img folder) are not in the way as folder / file.
 */
export function checkPredictOutputs(o: Pick<PredictOptions, 'project' | 'name' | 'weights' | 'shard' | 'saveImg'>): void {
  checkOutputDir(o.project, '--project');
  const saveDir = join(o.project, o.name);
  checkOutputDir(saveDir, '--name');
  const out = join(saveDir, predictionsFileName(o.weights[0]!, o.shard));
  if (existsSync(out) && statSync(out).isDirectory()) throw new VigilUserError(`${out} is a folder: the predictions file cannot be written there; move it away or pick another --name`, out);
  if (o.saveImg) checkOutputDir(join(saveDir, 'images'), '--save-img');
}

/** The test images of a data root (the original's `task03_test/images`). */
export function testImagesOf(root: string): string {
  return join(root, 'task03_test', 'images');
}
