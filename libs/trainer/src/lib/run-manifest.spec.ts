import '@tensorflow/tfjs-backend-cpu';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointFromModel, saveCheckpoint, tinyP6Spec, YoloModel } from '@vigil/yolov5';
import { afterAll, describe, expect, it } from 'vitest';
import { finishStageWeights, removeStaleTempFiles, runPaths, stageProgress } from './run-files.js';
import { latestRunDir, readRunManifest, runDirOf, runFinalWeights, writeRunManifest, type RunManifest } from './run-manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-run-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest = (finished: boolean): RunManifest => ({
  version: 1,
  argv: ['--epochs', '3'],
  kind: 'synthetic',
  stages: [
    { index: 1, dir: 'stage1' },
    { index: 2, dir: 'stage2' },
  ],
  config: { epochs: 3 },
  finished,
});

describe('run manifest', () => {
  it('round-trips; a damaged one names its file', () => {
    const run = join(dir, 'a');
    mkdirSync(run);
    expect(readRunManifest(run)).toBeUndefined();
    writeRunManifest(run, manifest(false));
    expect(readRunManifest(run)).toEqual(manifest(false));
    writeFileSync(join(run, 'run.json'), '{"version": 1, "stag');
    expect(() => readRunManifest(run)).toThrow(/a[/\\]run\.json: not a readable run manifest/);
  });

  it('finds the run of a checkpoint or stage folder, and the newest run of a project', () => {
    const project = join(dir, 'runs');
    for (const [name, t, finished] of [['exp', 1000, true], ['exp2', 3000, false], ['exp3', 2000, true]] as const) {
      const run = join(project, name);
      mkdirSync(join(run, 'stage1', 'weights'), { recursive: true });
      writeRunManifest(run, manifest(finished));
      utimesSync(join(run, 'run.json'), t, t);
    }
    mkdirSync(join(project, 'not-a-run'));
    writeFileSync(join(project, 'exp2', 'stage1', 'weights', 'last.vckpt'), '');
    expect(runDirOf(join(project, 'exp2', 'stage1', 'weights', 'last.vckpt'))).toBe(join(project, 'exp2'));
    expect(runDirOf(join(project, 'exp2', 'stage1'))).toBe(join(project, 'exp2'));
    expect(runDirOf(join(project, 'not-a-run'))).toBeUndefined();
    expect(latestRunDir(project)?.dir).toBe(join(project, 'exp2'));
    expect(latestRunDir(project, { finished: true })?.dir).toBe(join(project, 'exp3'));
    expect(latestRunDir(project, { kinds: ['dataset'] })).toBeUndefined();
    expect(latestRunDir(join(dir, 'nowhere'))).toBeUndefined();
    expect(runFinalWeights(join(project, 'exp3'), manifest(true))).toEqual([
      join(project, 'exp3', 'stage1', 'weights', 'last.vckpt'),
      join(project, 'exp3', 'stage2', 'weights', 'last.vckpt'),
    ]);
  });
});

describe('stage folders after a kill', () => {
  it('tells not started / resumable / finished; stripping completes a half-stripped stage', () => {
    const stage = join(dir, 'stage');
    expect(stageProgress(stage)).toEqual({ state: 'not started' });
    const model = YoloModel.create(tinyP6Spec(2), { seed: 1, names: ['a', 'b'] });
    const ema = new Map([...model.getWeights()].map(([k, w]) => [`ema/${k}`, w]));
    const ck = checkpointFromModel(model, { training: { state: { epoch: 4 }, tensors: ema } });
    model.dispose();
    const p = runPaths(stage);
    mkdirSync(p.weights, { recursive: true });
    saveCheckpoint(p.last, ck);
    saveCheckpoint(p.best, ck);
    expect(stageProgress(stage)).toEqual({ state: 'resumable', checkpoint: p.last, epoch: 4 });
    finishStageWeights(stage);
    expect(stageProgress(stage)).toEqual({ state: 'finished', weights: p.last });
  });

  it('removes the temp files of interrupted atomic writes, nothing else', () => {
    const run = join(dir, 'tmps');
    mkdirSync(join(run, 'stage1', 'weights'), { recursive: true });
    const left = [join(run, 'stage1', 'weights', '.last.vckpt.tmp-1234-lx0abc'), join(run, '.run.json.tmp-99-m1')];
    for (const f of left) writeFileSync(f, 'partial');
    writeFileSync(join(run, 'stage1', 'weights', 'last.vckpt'), '');
    writeFileSync(join(run, 'stage1', '.hidden.tmp-notes'), '');
    expect(removeStaleTempFiles(run).sort()).toEqual([...left].sort());
    expect(readdirSync(join(run, 'stage1', 'weights'))).toEqual(['last.vckpt']);
    expect(readdirSync(join(run, 'stage1'))).toContain('.hidden.tmp-notes');
  });
});
