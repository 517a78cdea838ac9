import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint, writeFileAtomic, type CheckpointData, type WeightTensor } from '@vigil/yolov5';
import type { TrainHooks } from './fit.js';
import type { ChartSpec } from '@vigil/core';
import { resultsChart, resultsCsv } from './results.js';

/** Options of {@link runFileHooks}. */
export interface RunFileOptions {
  /** the run folder (runs/train/<name>/): weights/ and results.csv go there */
  dir: string;
  /** also keep `weights/epoch<N>.vckpt` every N epochs (-1 / 0 = off) */
  savePeriod?: number;
  /** receives the results chart after every epoch (e.g. to draw it as results.png) */
  onResultsChart?: (chart: ChartSpec) => void | Promise<void>;
}

/** Paths of a run folder. */
export function runPaths(dir: string): { weights: string; last: string; best: string; results: string } {
  const weights = join(dir, 'weights');
  return { weights, last: join(weights, 'last.vckpt'), best: join(weights, 'best.vckpt'), results: join(dir, 'results.csv') };
}

const enc = new TextEncoder();

/**
 * Checkpoints and results files as hooks of {@link fit}: after every epoch `weights/last.vckpt` (resumable: weights,
 * optimizer, EMA, schedule, epoch, RNG), `weights/best.vckpt` when the fitness improved, optionally
 * `weights/epoch<N>.vckpt` and `results.csv` — each written atomically (temp file + rename), so a
 * kill at any moment leaves the previous complete file. At the end, last and best are stripped to the EMA weights
 * (the original's strip_optimizer).
 */
export function runFileHooks(opts: RunFileOptions): TrainHooks {
  const p = runPaths(opts.dir);
  mkdirSync(p.weights, { recursive: true });
  return {
    onEpochEnd: async (info) => {
      const ck = await info.snapshot();
      saveCheckpoint(p.last, ck);
      if (info.isBest) saveCheckpoint(p.best, ck);
      const sp = opts.savePeriod ?? -1;
      if (sp > 0 && (info.epoch + 1) % sp === 0 && !info.final) saveCheckpoint(join(p.weights, `epoch${info.epoch}.vckpt`), ck);
      writeFileAtomic(p.results, enc.encode(resultsCsv(info.rows)));
      await opts.onResultsChart?.(resultsChart(info.rows, opts.dir));
    },
    onFitEnd: () => {
      for (const f of [p.last, p.best]) if (existsSync(f)) saveCheckpoint(f, stripToEma(loadCheckpoint(f)));
    },
  };
}

/** The checkpoint with the EMA weights as the model weights and no training state (strip_optimizer). */
export function stripToEma(ck: CheckpointData): CheckpointData {
  const t = ck.training?.tensors;
  if (!t) return ck;
  const weights = new Map<string, WeightTensor>();
  for (const name of ck.weights.keys()) {
    const e = t.get(`ema/${name}`);
    if (!e) throw new Error(`checkpoint has no EMA tensor for ${name}`);
    weights.set(name, e);
  }
  return { ...ck, weights, training: undefined, meta: { ...ck.meta, stripped: true } };
}

/** Runs several hook sets in order. */
export function composeHooks(...sets: (TrainHooks | undefined)[]): TrainHooks {
  const hs = sets.filter((h): h is TrainHooks => !!h);
  return {
    onFitStart: async (i) => {
      for (const h of hs) await h.onFitStart?.(i);
    },
    onBatchEnd: async (i) => {
      for (const h of hs) await h.onBatchEnd?.(i);
    },
    onEpochEnd: async (i) => {
      for (const h of hs) await h.onEpochEnd?.(i);
    },
    onFitEnd: async (i) => {
      for (const h of hs) await h.onFitEnd?.(i);
    },
  };
}
