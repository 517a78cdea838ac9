import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint, writeFileAtomic, type CheckpointData, type WeightTensor } from '@vigil/yolov5';
import type { TrainHooks } from './fit.js';
import type { ChartSpec } from '@vigil/core';
import { resultsChart, resultsCsv } from './results.js';

/** Options of {@link runFileHooks}. */
export interface RunFileOptions {
  /** the stage folder (runs/train/<name>/stage<N>/, or the run folder of a one-stage run): weights/ and results.csv go there */
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
 * Checkpoints and results files as hooks of {@link fit}: after every epoch `weights/best.vckpt` when the fitness
 * improved, optionally `weights/epoch<N>.vckpt`, `results.csv` (and the results chart hook), and last of all
 * `weights/last.vckpt` (resumable: weights, optimizer, EMA, schedule, epoch, RNG) — each written atomically (temp file
 * + fsync + rename), so a kill at any moment leaves the previous complete file. last.vckpt goes last because it is the
 * resume point: a kill before it is written redoes the epoch, which rewrites every other file identically. At the
 * end, last and best are stripped to the EMA weights (the original's strip_optimizer, {@link finishStageWeights}).
 */
export function runFileHooks(opts: RunFileOptions): TrainHooks {
  const p = runPaths(opts.dir);
  mkdirSync(p.weights, { recursive: true });
  return {
    onEpochEnd: async (info) => {
      const ck = await info.snapshot();
      if (info.isBest) saveCheckpoint(p.best, ck);
      const sp = opts.savePeriod ?? -1;
      if (sp > 0 && (info.epoch + 1) % sp === 0 && !info.final) saveCheckpoint(join(p.weights, `epoch${info.epoch}.vckpt`), ck);
      writeFileAtomic(p.results, enc.encode(resultsCsv(info.rows)));
      await opts.onResultsChart?.(resultsChart(info.rows, opts.dir));
      saveCheckpoint(p.last, ck);
    },
    onFitEnd: () => finishStageWeights(opts.dir),
  };
}

/**
 * Strips `weights/best.vckpt` and then `weights/last.vckpt` of a stage folder to their EMA weights, each only if it
 * still holds training state (so it also completes a stage killed half-way through its stripping). last goes last:
 * a stripped last.vckpt means the stage is finished ({@link stageProgress}).
 */
export function finishStageWeights(dir: string): void {
  const p = runPaths(dir);
  for (const f of [p.best, p.last]) {
    if (!existsSync(f)) continue;
    const ck = loadCheckpoint(f);
    if (ck.training) saveCheckpoint(f, stripToEma(ck));
  }
}

/** How far a stage folder got: nothing resumable yet, a resumable last.vckpt, or finished (last.vckpt stripped). */
export type StageProgress = { state: 'not started' } | { state: 'resumable'; checkpoint: string; epoch: number } | { state: 'finished'; weights: string };

/** Reads a stage folder's `weights/last.vckpt` to tell how far the stage got. */
export function stageProgress(dir: string): StageProgress {
  const { last } = runPaths(dir);
  if (!existsSync(last)) return { state: 'not started' };
  const ck = loadCheckpoint(last);
  if (!ck.training) return { state: 'finished', weights: last };
  const st = ck.training.state as { epoch?: unknown } | undefined;
  return { state: 'resumable', checkpoint: last, epoch: typeof st?.epoch === 'number' ? st.epoch : -1 };
}

/** The temp-file names of the atomic writes (`.<name>.tmp-<pid>-<time>`, see writeFileAtomic). */
const TEMP_FILE = /^\..+\.tmp-\d+-[0-9a-z]+$/;

/**
 * Removes the temp files an interrupted atomic write left (a kill during a checkpoint or results write) in `dir` and
 * its sub-folders up to `depth` levels; returns the removed paths.
 */
export function removeStaleTempFiles(dir: string, depth = 3): string[] {
  const removed: string[] = [];
  if (!existsSync(dir)) return removed;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const f = join(dir, e.name);
    if (e.isFile() && TEMP_FILE.test(e.name)) {
      rmSync(f, { force: true });
      removed.push(f);
    } else if (e.isDirectory() && depth > 0) removed.push(...removeStaleTempFiles(f, depth - 1));
  }
  return removed;
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
