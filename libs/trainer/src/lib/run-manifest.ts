import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { writeFileAtomic } from '@vigil/yolov5';
import { runPaths } from './run-files.js';

/** File name of a run's manifest inside its run folder. */
export const RUN_MANIFEST = 'run.json';

/** What a run trains on (the inference defaults of `vigil-predict` follow it). */
export type RunKind = 'competition' | 'synthetic' | 'dataset';

/** One stage of a run and its folder, relative to the run folder ('.' when the run has only this stage). */
export interface RunStage {
  index: 1 | 2;
  dir: string;
}

/**
 * `<run>/run.json`: the whole command of a training run (both stages' settings, seeds, names), written before any
 * work so that `vigil-train --resume` continues exactly it, and later each stage's data (after preparation / the
 * dataset check) and `finished`. `C` is the app's config, `D` a stage's data.
 */
export interface RunManifest<C = unknown, D = unknown> {
  version: 1;
  /** the command line as given (for people; resume uses `config`) */
  argv: string[];
  kind: RunKind;
  /** the stages this run trains, in order */
  stages: RunStage[];
  config: C;
  /** each stage's data by stage index, once resolved */
  data?: Partial<Record<'1' | '2', D>>;
  /** every stage finished */
  finished?: boolean;
}

/** Writes `<runDir>/run.json` atomically. */
export function writeRunManifest(runDir: string, m: RunManifest): void {
  writeFileAtomic(join(runDir, RUN_MANIFEST), new TextEncoder().encode(JSON.stringify(m, null, 2) + '\n'));
}

/** Reads `<runDir>/run.json`, or undefined when there is none; a damaged one is a user error naming it. */
export function readRunManifest<C = unknown, D = unknown>(runDir: string): RunManifest<C, D> | undefined {
  const f = join(runDir, RUN_MANIFEST);
  if (!existsSync(f)) return undefined;
  let m: RunManifest<C, D>;
  try {
    m = JSON.parse(readFileSync(f, 'utf8')) as RunManifest<C, D>;
  } catch (e) {
    throw new VigilUserError(`${f}: not a readable run manifest (${(e as Error).message})`, f);
  }
  if (m?.version !== 1 || !Array.isArray(m.stages)) throw new VigilUserError(`${f}: not a run manifest of this version of vigil-train`, f);
  return m;
}

/** The run folder a path belongs to: the path itself, or the run holding that stage folder / checkpoint. */
export function runDirOf(path: string): string | undefined {
  let d = resolve(path);
  if (existsSync(d) && statSync(d).isFile()) d = dirname(d);
  // a checkpoint is in <stage>/weights/, a stage folder in <run>/
  for (let k = 0; k < 4; k++) {
    if (existsSync(join(d, RUN_MANIFEST))) return d;
    d = dirname(d);
  }
  return undefined;
}

/** The stage folders of a run, absolute. */
export function stageDirs(runDir: string, m: Pick<RunManifest, 'stages'>): { index: 1 | 2; dir: string }[] {
  return m.stages.map((s) => ({ index: s.index, dir: join(runDir, s.dir) }));
}

/** Latest modification of a run: its manifest or any stage's last.vckpt. */
function runTime(runDir: string, m: RunManifest): number {
  let t = statSync(join(runDir, RUN_MANIFEST)).mtimeMs;
  for (const s of stageDirs(runDir, m)) {
    const f = runPaths(s.dir).last;
    if (existsSync(f)) t = Math.max(t, statSync(f).mtimeMs);
  }
  return t;
}

/**
 * The newest run folder directly under `project` (the original's get_latest_run, by run): the one written to last.
 * With `finished`, only runs whose stages all finished; with `kinds`, only runs of those kinds.
 */
export function latestRunDir(project: string, options: { finished?: boolean; kinds?: readonly RunKind[] } = {}): { dir: string; manifest: RunManifest } | undefined {
  if (!existsSync(project) || !statSync(project).isDirectory()) return undefined;
  let best: { dir: string; manifest: RunManifest; t: number } | undefined;
  for (const e of readdirSync(project, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const dir = join(project, e.name);
    let m: RunManifest | undefined;
    try {
      m = readRunManifest(dir);
    } catch {
      continue; // a damaged manifest is reported when that run is named, not when looking for the newest
    }
    if (!m || (options.finished && !m.finished) || (options.kinds && !options.kinds.includes(m.kind))) continue;
    const t = runTime(dir, m);
    if (!best || t > best.t || (t === best.t && basename(dir) > basename(best.dir))) best = { dir, manifest: m, t };
  }
  return best && { dir: best.dir, manifest: best.manifest };
}

/** The final weights of a finished run: every stage's stripped `weights/last.vckpt`, in stage order. */
export function runFinalWeights(runDir: string, m: Pick<RunManifest, 'stages'>): string[] {
  return stageDirs(runDir, m).map((s) => runPaths(s.dir).last);
}
