import { existsSync, mkdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { checkOutputDir } from '@vigil/dataset';
import { latestRunDir, readRunManifest, removeStaleTempFiles, RUN_MANIFEST, runDirOf, runPaths, stageDirs, stageProgress, writeRunManifest, type RunManifest, type RunStage } from '@vigil/trainer';
import type { TrainConfig } from './options.js';
import type { StageData } from './stage.js';

/** The settings a run keeps in its run.json: the whole command, without what only this process decides. */
export type SavedConfig = Omit<TrainConfig, 'resume' | 'backend'>;

/** A training run: its folder, its manifest and the settings it trains with. */
export interface TrainRun {
  dir: string;
  manifest: RunManifest<SavedConfig, StageData>;
  cfg: TrainConfig;
  /** `--resume <checkpoint>`: the stage folder it belongs to continues from it instead of its last.vckpt */
  from?: { stageDir: string; checkpoint: string };
  /** folders this (fresh) run created, outermost first: the run folder and any missing parents (--project) */
  created?: string[];
}

/**
 * The original's increment_path: `dir` if free, else `dir2`, `dir3`, … — claimed by creating it (mkdir fails on an
 * existing name), so two runs started together never share a folder.
 */
export function incrementPath(dir: string): string {
  mkdirSync(dirname(dir), { recursive: true });
  for (let n = 1; ; n++) {
    const d = n === 1 ? dir : `${dir}${n}`;
    try {
      mkdirSync(d);
      return d;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** The stages a config trains and their folders: `<run>/stage1`, `<run>/stage2` for two stages, the run folder for one. */
export function runStages(cfg: Pick<TrainConfig, 'stage1' | 'stage2'>): RunStage[] {
  const idx = ([1, 2] as const).filter((i) => (i === 1 ? cfg.stage1 : cfg.stage2).epochs > 0);
  return idx.map((index) => ({ index, dir: idx.length > 1 ? `stage${index}` : '.' }));
}

/**
 * The checks of a new run's outputs, before any work (also before the backend starts): something to train, and
 * --project and --prepared-dir usable folders. Returns the stages it will train.
 */
export function checkRunOutputs(cfg: TrainConfig): RunStage[] {
  const stages = runStages(cfg);
  if (stages.length === 0) throw new VigilUserError('--epochs and --epochs_tune are both 0: nothing to train');
  checkOutputDir(cfg.project, '--project');
  if (!cfg.data && cfg.prepare) checkOutputDir(cfg.preparedDir, '--prepared-dir');
  return stages;
}

/**
 * Starts a run: checks the output folders (before any work), claims `<project>/<name>` (next free `<name>N` unless
 * --exist-ok) and writes run.json with the whole command before anything else happens, so that a kill at any later
 * moment can be resumed.
 */
export function createRun(cfg: TrainConfig, argv: string[]): TrainRun {
  const stages = checkRunOutputs(cfg);
  const target = join(cfg.project, cfg.name);
  const created: string[] = [];
  for (let d = cfg.project; !existsSync(d) && d !== dirname(d); d = dirname(d)) created.unshift(d);
  if (cfg.existOk && existsSync(target) && !statSync(target).isDirectory()) throw new VigilUserError(`--exist-ok: ${target} is a file, not a run folder`, target);
  const dir = cfg.existOk ? target : incrementPath(target);
  if (!cfg.existOk || !existsSync(dir)) created.push(dir); // incrementPath claims a new folder
  mkdirSync(dir, { recursive: true });
  // --exist-ok into an earlier run: its final weights must not pass for this run's progress
  for (const s of stageDirs(dir, { stages })) for (const f of [runPaths(s.dir).last, runPaths(s.dir).best]) rmSync(f, { force: true });
  const { resume: _r, backend: _b, ...config } = cfg;
  const manifest: RunManifest<SavedConfig, StageData> = { version: 1, argv, kind: cfg.data ? 'dataset' : cfg.synthetic ? 'synthetic' : 'competition', stages, config };
  writeRunManifest(dir, manifest);
  return { dir, manifest, cfg, created };
}

/**
 * Opens the run `--resume` names (a checkpoint, a stage or run folder; bare: the newest run under --project) with the
 * settings saved in its run.json — the command line's other flags do not apply, except --backend. Returns undefined
 * (after saying so) when the run has finished: nothing is written.
 */
export function openRun(cfg: TrainConfig, log: (line: string) => void): TrainRun | undefined {
  const given = cfg.resume;
  let dir: string | undefined;
  if (given === true || given === undefined) {
    dir = latestRunDir(cfg.project)?.dir;
    if (!dir) throw new VigilUserError(`--resume: no run under ${cfg.project} (a run folder holds run.json); start one without --resume, or give --project`);
  } else {
    if (!existsSync(given)) throw new VigilUserError(`--resume ${given}: no such file or folder`, given);
    dir = runDirOf(given);
    if (!dir) throw new VigilUserError(`--resume ${given}: not in a run folder (no run.json in it or above; runs of older versions cannot be resumed)`, given);
  }
  const manifest = readRunManifest<SavedConfig, StageData>(dir)!;
  const removed = removeStaleTempFiles(dir);
  if (removed.length) log(`removed ${removed.length} temp file(s) of an interrupted write: ${removed.map((f) => relative(dir!, f)).join(', ')}`);
  const stages = stageDirs(dir, manifest);
  const progress = manifest.finished ? [] : stages.map((s) => stageProgress(s.dir));
  if (manifest.finished || progress.every((p) => p.state === 'finished')) {
    // killed after the last stage's weights were final but before run.json said so: only that is left to do
    if (!manifest.finished) writeRunManifest(dir, { ...manifest, finished: true });
    log(`${dir} has finished (${stages.map((s) => `${relative(process.cwd(), runPaths(s.dir).last)}`).join(', ')}): nothing to resume`);
    return undefined;
  }
  let from: TrainRun['from'];
  if (typeof given === 'string' && statSync(given).isFile()) {
    const stageDir = dirname(dirname(resolve(given)));
    const k = stages.findIndex((s) => s.dir === stageDir);
    if (k < 0) throw new VigilUserError(`--resume ${given}: not a checkpoint of a stage of ${dir} (expected <stage>/weights/*.vckpt)`, given);
    if (progress[k]!.state !== 'finished') from = { stageDir, checkpoint: resolve(given) };
  }
  log(`Resuming ${dir} with the settings in its run.json (${manifest.argv.join(' ') || 'no flags'})`);
  return { dir, manifest, cfg: { ...manifest.config, resume: given, backend: cfg.backend }, from };
}

/**
 * Removes a run that never started training: its run.json, then the folders it created (run folder, missing
 * --project parents) as far as they are empty — an --exist-ok folder keeps the earlier run's other files.
 */
export function discardRun(run: TrainRun): void {
  rmSync(join(run.dir, RUN_MANIFEST), { force: true });
  for (const d of [...(run.created ?? [run.dir])].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty: it and its parents stay
    }
  }
}
