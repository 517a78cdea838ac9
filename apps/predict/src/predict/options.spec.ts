import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRunManifest, type RunKind, type RunStage } from '@vigil/trainer';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPredictOutputs, parsePredictOptions } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-predict-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run folder as vigil-train leaves it (run.json + each stage's weights/last.vckpt), written at time `t` (s). */
function fakeRun(cwd: string, name: string, kind: RunKind, stages: RunStage[], finished: boolean, t: number): void {
  const run = join(cwd, 'runs', 'train', name);
  for (const s of stages) {
    mkdirSync(join(run, s.dir, 'weights'), { recursive: true });
    writeFileSync(join(run, s.dir, 'weights', 'last.vckpt'), '');
    utimesSync(join(run, s.dir, 'weights', 'last.vckpt'), t, t);
  }
  writeRunManifest(run, { version: 1, argv: [], kind, stages, config: {}, finished });
  utimesSync(join(run, 'run.json'), t, t);
}

function inDir<T>(cwd: string, f: () => T): T {
  const old = process.cwd();
  process.chdir(cwd);
  try {
    return f();
  } finally {
    process.chdir(old);
  }
}

const TWO: RunStage[] = [
  { index: 1, dir: 'stage1' },
  { index: 2, dir: 'stage2' },
];

describe('default weights: the newest finished training run', () => {
  it('takes both stages of the newest finished run of the right kind, and says which', () => {
    const cwd = join(dir, 'runs-a');
    fakeRun(cwd, 'synthetic', 'synthetic', TWO, true, 1000);
    fakeRun(cwd, 'synthetic2', 'synthetic', TWO, true, 2000);
    fakeRun(cwd, 'synthetic3', 'synthetic', TWO, false, 3000); // interrupted: no final weights yet
    fakeRun(cwd, 'exp', 'dataset', [{ index: 1, dir: '.' }], true, 4000);
    const o = inDir(cwd, () => parsePredictOptions({}));
    expect(o.weights).toEqual(['runs/train/synthetic2/stage1/weights/last.vckpt', 'runs/train/synthetic2/stage2/weights/last.vckpt']);
    expect(o.weightsRun).toBe('runs/train/synthetic2');
    expect(o.imgSize).toBe(320); // the embedded synthetic run's training size
    expect(inDir(cwd, () => parsePredictOptions({ imgSize: '640' })).imgSize).toBe(640);
    // --data: a dataset run's weights (one stage: the run folder's own weights/)
    const d = inDir(cwd, () => parsePredictOptions({ data: 'd.yaml' }));
    expect(d.weights).toEqual(['runs/train/exp/weights/last.vckpt']);
    expect(d.imgSize).toBe(640);
    // given weights win
    expect(inDir(cwd, () => parsePredictOptions({ weights: ['x.vckpt'] })).weightsRun).toBeUndefined();
  });

  it('without a finished run: one clear message', () => {
    const cwd = join(dir, 'runs-b');
    fakeRun(cwd, 'final', 'competition', TWO, false, 1000);
    expect(() => inDir(cwd, () => parsePredictOptions({}))).toThrow(/no --weights and no finished `vigil-train` run under runs\/train\/.*train first \(`npm run demo`\) or pass --weights/);
    expect(() => inDir(cwd, () => parsePredictOptions({ data: 'd.yaml' }))).toThrow(/no finished `vigil-train --data` run/);
  });
});

describe('checkPredictOutputs', () => {
  const base = { weights: ['w/last.vckpt'], name: 'final', saveImg: false };
  it('accepts a new folder without creating it', () => {
    checkPredictOutputs({ ...base, project: join(dir, 'out', 'test') });
  });
  it('a file, a dangling link or a folder in the way: one line naming it', () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect(() => checkPredictOutputs({ ...base, project: file })).toThrow(/^--project .*file: is a file, not a folder/);
    expect(() => checkPredictOutputs({ ...base, project: join(file, 'sub') })).toThrow(/file is a file, not a folder/);
    const link = join(dir, 'link');
    symlinkSync(join(dir, 'gone'), link);
    expect(() => checkPredictOutputs({ ...base, project: link })).toThrow(/is a dangling symbolic link/);
    const p = join(dir, 'p');
    mkdirSync(join(p, 'final', 'last_predictions.json'), { recursive: true });
    expect(() => checkPredictOutputs({ ...base, project: p })).toThrow(/last_predictions\.json is a folder/);
    writeFileSync(join(p, 'x'), '');
    expect(() => checkPredictOutputs({ ...base, project: p, name: 'x' })).toThrow(/^--name .*x: is a file/);
  });
});
