import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VigilUserError } from '@vigil/core';
import type { EnsembleMethod } from '@vigil/ensembler';
import type { EmptyObjects } from './output.js';

/** The default weights: the two final checkpoints of the default training run (the original's two stages). */
/** The two final checkpoints of the original-recipe run (`vigil-train`, name final). */
export const DEFAULT_WEIGHTS = ['runs/train/final/weights/last.vckpt', 'runs/train/final2/weights/last.vckpt'] as const;
/** The two final checkpoints of the embedded synthetic default run (`npm run demo`, name synthetic). */
export const SYNTHETIC_WEIGHTS = ['runs/train/synthetic/weights/last.vckpt', 'runs/train/synthetic2/weights/last.vckpt'] as const;
/** Inference size for the embedded synthetic run's weights (they are trained at 320; 1536 is the original's). */
export const SYNTHETIC_IMG_SIZE = 320;
/** The default weights with --data: the final checkpoint of `vigil-train --data` (its default run name is exp). */
export const DATASET_WEIGHTS = 'runs/train/exp/weights/last.vckpt';
/** Inference size with --data (upstream YOLOv5 test.py's default). */
export const DATASET_IMG_SIZE = 640;

/** Everything a prediction run needs, validated. */
export interface PredictOptions {
  weights: string[];
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

/** Validates the raw commander options (strings) of the predict command; default weights must exist. */
export function parsePredictOptions(raw: Record<string, unknown>): PredictOptions {
  const data = raw['data'] as string | undefined;
  const given = raw['weights'] as string[] | undefined;
  let weights: string[];
  let synthetic = false;
  if (given && given.length > 0) weights = given;
  else if (data !== undefined) {
    if (!existsSync(DATASET_WEIGHTS)) throw new VigilUserError(`--data: no --weights given and no ${DATASET_WEIGHTS} (what \`vigil-train --data\` writes by default): pass --weights <file.vckpt|file.pt> ...`);
    weights = [DATASET_WEIGHTS];
  }
  else if (DEFAULT_WEIGHTS.every((w) => existsSync(w))) weights = [...DEFAULT_WEIGHTS];
  else if (SYNTHETIC_WEIGHTS.every((w) => existsSync(w))) {
    weights = [...SYNTHETIC_WEIGHTS];
    synthetic = true;
  } else {
    throw new VigilUserError(
      `no trained weights at ${DEFAULT_WEIGHTS.join(' and ')} (or ${SYNTHETIC_WEIGHTS.join(' and ')}): train first (\`npm run demo\`) or pass --weights <file.vckpt|file.pt> ...`,
    );
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

/** The test images of a data root (the original's `task03_test/images`). */
export function testImagesOf(root: string): string {
  return join(root, 'task03_test', 'images');
}
