import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateSyntheticData } from '@vigil/dataset';
import { stageProgress } from '@vigil/trainer';
import { specsDir } from '@vigil/yolov5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Kill -9 at every kind of point of a two-stage run, then a bare `vigil-train --resume`: the run ends with the same
 * final weights and results.csv, byte for byte, as one uninterrupted run with the same seed.
 */
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
// tsx by absolute URL: the CLI runs in other working directories (its default --project is relative)
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const nodeArgs = ['--conditions=@vigil/source', '--import', tsx, main];
const env = (extra: Record<string, string> = {}) => ({ ...process.env, VIGIL_BACKEND: 'cpu', ...extra });

const tmp = mkdtempSync(join(tmpdir(), 'vigil-train-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const root = join(tmp, 'data');
const prepared = join(tmp, 'prepared');
const cfg = join(tmp, 'tiny-p6.yaml');

/** Runs the CLI in `cwd` (its default --project is cwd/runs/train) to the end. */
function cli(cwd: string, ...args: string[]) {
  mkdirSync(cwd, { recursive: true });
  return spawnSync(process.execPath, [...nodeArgs, ...args], { cwd, encoding: 'utf8', env: env() });
}

/** Runs the CLI in `cwd` and sends SIGKILL as soon as `when(stdout)` holds (checked every 20 ms and on output). */
function cliKilled(cwd: string, args: string[], when: (stdout: string) => boolean, extraEnv: Record<string, string> = {}): Promise<{ stdout: string; signal: NodeJS.Signals | null; code: number | null }> {
  mkdirSync(cwd, { recursive: true });
  const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd, env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const check = () => {
    if (child.exitCode === null && child.signalCode === null && when(stdout)) child.kill('SIGKILL');
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setInterval(check, 20);
  return new Promise((res) =>
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (code !== null && code !== 0) console.error(stderr);
      res({ stdout, signal, code });
    }),
  );
}

// tiny model, 64 px, 24 + 6 images; stage 1: 2 epochs, stage 2: 2 epochs of half the data
const ARGS = ['--data-root', root, '--prepared-dir', prepared, '--cfg', cfg, '--img', '64', '--batch', '4', '--epochs', '2', '--epoch_parts', '1', '--epochs_tune', '2',
  '--epoch_parts_tune', '2', '--val-count', '6', '--workers', '1', '--warmup-min-iters', '2', '--nbs', '8', '--noautoanchor', '--random_seed', '7'];
/** The files that must come out identical. */
const FINAL = ['stage1/weights/last.vckpt', 'stage1/weights/best.vckpt', 'stage1/results.csv', 'stage2/weights/last.vckpt', 'stage2/weights/best.vckpt', 'stage2/results.csv'];
const run = (cwd: string) => join(cwd, 'runs', 'train', 'final');

/** Every file under `dir` with its size and mtime (to show a command wrote nothing). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = join(d, e.name);
      if (e.isDirectory()) walk(f);
      else out[relative(dir, f)] = `${statSync(f).size}@${statSync(f).mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

describe('vigil-train --resume after kill -9 (two stages, tiny model, cpu)', () => {
  const base = join(tmp, 'base');
  beforeAll(async () => {
    await generateSyntheticData(root, { train: 30, test: 2, width: 160, height: 120, seed: 3 });
    writeFileSync(cfg, readFileSync(join(specsDir(), 'yolov5n6.yaml'), 'utf8').replace(/width_multiple: [0-9.]+/, 'width_multiple: 0.0625'));
    // the uninterrupted run every case is compared with (it also prepares the data the cases share)
    const r = cli(base, ...ARGS);
    expect(r.status, r.stderr).toBe(0);
  }, 300_000);

  /** Resumes the killed run in `cwd` with a bare --resume and compares its final files with the uninterrupted run's. */
  function resumeAndCompare(cwd: string) {
    const r = cli(cwd, '--resume');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Resuming .*runs\/train\/final with the settings in its run\.json/);
    for (const f of FINAL) expect(readFileSync(join(run(cwd), f)).equals(readFileSync(join(run(base), f))), f).toBe(true);
    expect(readdirSync(join(run(cwd), 'stage1', 'weights')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    return r;
  }

  it('killed in stage 1: stage 1 continues, then stage 2 with the original stage-2 settings', async () => {
    const cwd = join(tmp, 'in-stage1');
    const k = await cliKilled(cwd, ['--no_data_prepare', ...ARGS], () => existsSync(join(run(cwd), 'stage1', 'weights', 'last.vckpt')));
    expect(k.signal).toBe('SIGKILL');
    expect(stageProgress(join(run(cwd), 'stage1')).state).toBe('resumable');
    const r = resumeAndCompare(cwd);
    expect(r.stdout).toMatch(/resuming at epoch 1 of 2/);
    expect(r.stdout).toMatch(/### fine-tuning start/);
  }, 300_000);

  it('killed between the stages: stage 2 starts from stage 1\'s final weights', async () => {
    const cwd = join(tmp, 'between');
    const k = await cliKilled(cwd, ['--no_data_prepare', ...ARGS], (out) => out.includes('### base train completed'));
    expect(k.signal).toBe('SIGKILL');
    expect(stageProgress(join(run(cwd), 'stage1')).state).toBe('finished');
    expect(stageProgress(join(run(cwd), 'stage2')).state).toBe('not started');
    const r = resumeAndCompare(cwd);
    expect(r.stdout).toMatch(/stage 1: finished already/);
  }, 300_000);

  it('killed in stage 2: stage 2 continues', async () => {
    const cwd = join(tmp, 'in-stage2');
    const k = await cliKilled(cwd, ['--no_data_prepare', ...ARGS], () => existsSync(join(run(cwd), 'stage2', 'weights', 'last.vckpt')));
    expect(k.signal).toBe('SIGKILL');
    expect(stageProgress(join(run(cwd), 'stage2')).state).toBe('resumable');
    resumeAndCompare(cwd);
  }, 300_000);

  // VIGIL_TEST_KILL_IN_WRITE (test only): the process SIGKILLs itself half-way through the n-th write of last.vckpt
  for (const [n, what] of [[2, 'the final epoch\'s checkpoint of stage 1'], [3, 'stage 1\'s stripping to the EMA weights']] as const) {
    it(`killed during a checkpoint write (${what}): the temp file is removed, the previous checkpoint used`, async () => {
      const cwd = join(tmp, `in-write-${n}`);
      const k = await cliKilled(cwd, ['--no_data_prepare', ...ARGS], () => false, { VIGIL_TEST_KILL_IN_WRITE: `last.vckpt:${n}` });
      expect(k.signal).toBe('SIGKILL');
      const weights = join(run(cwd), 'stage1', 'weights');
      expect(readdirSync(weights).filter((f) => /^\.last\.vckpt\.tmp-/.test(f))).toHaveLength(1);
      expect(stageProgress(join(run(cwd), 'stage1'))).toMatchObject({ state: 'resumable', epoch: n === 2 ? 0 : 1 });
      const r = resumeAndCompare(cwd);
      expect(r.stdout).toMatch(/removed 1 temp file\(s\) of an interrupted write: stage1\/weights\/\.last\.vckpt\.tmp-/);
    }, 300_000);
  }

  it('--resume of a finished run says so and writes nothing', () => {
    const before = snapshot(base);
    const r = cli(base, '--resume');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/runs\/train\/final has finished \(.*stage1\/weights\/last\.vckpt, .*stage2\/weights\/last\.vckpt\): nothing to resume/);
    expect(r.stdout).not.toMatch(/stage 1:|Epoch/);
    const byCkpt = cli(base, '--resume', join(run(base), 'stage2', 'weights', 'last.vckpt'));
    expect(byCkpt.status, byCkpt.stderr).toBe(0);
    expect(byCkpt.stdout).toMatch(/nothing to resume/);
    expect(snapshot(base)).toEqual(before);
  });
});
