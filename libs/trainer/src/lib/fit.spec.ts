import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { HYP_SCRATCH_P6 } from '@vigil/core';
import { YoloModel, loadCheckpoint, tinyP6Spec } from '@vigil/yolov5';
import { afterAll, describe, expect, it } from 'vitest';
import { fit, TrainingDivergedError, type FitOptions } from './fit.js';
import './register-gradients.js';
import { composeHooks, runFileHooks, runPaths } from './run-files.js';
import { resultsCsv } from './results.js';
import { ToyDetectionData } from './testing-source.js';
import { evaluateModel } from './validate.js';

const names = ['a', 'b'];
const data = new ToyDetectionData(16, 64, 2, 1);
const tmp = mkdtempSync(join(tmpdir(), 'vigil-fit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function options(model: YoloModel, over: Partial<FitOptions> = {}): FitOptions {
  return {
    model,
    hyp: HYP_SCRATCH_P6,
    epochs: 2,
    batchSize: 4,
    imgSize: 64,
    source: data.source(4, 2),
    seed: 7,
    nbs: 8,
    warmupMinIters: 3,
    validate: async (m) => evaluateModel(m, data.valBatches(8), { names }),
    ...over,
  };
}

describe('fit', () => {
  it('same seed twice → identical results.csv and weights; validation at the end; no tensor leaks', async () => {
    const runs: { csv: string; w: Float32Array }[] = [];
    for (let r = 0; r < 2; r++) {
      const model = YoloModel.create(tinyP6Spec(2), { seed: 1, names });
      const before = tf.memory().numTensors;
      const lines: string[] = [];
      const res = await fit(options(model, { hooks: { onBatchEnd: (b) => void lines.push(`${b.epoch}:${b.i}`) } }));
      expect(tf.memory().numTensors).toBe(before);
      expect(lines).toEqual(['0:0', '0:1', '1:0', '1:1']);
      expect(res.rows).toHaveLength(2);
      expect(Number.isNaN(res.rows[0]!.map50)).toBe(true); // valPeriod 0: only the final epoch is validated
      expect(res.rows[1]!.map50).toBeGreaterThanOrEqual(0);
      expect(res.rows.every((row) => Number.isFinite(row.total) && row.total > 0)).toBe(true);
      runs.push({ csv: resultsCsv(res.rows), w: res.emaWeights.get('model.0.conv.conv.weight')!.data });
      model.dispose();
    }
    expect(runs[1]!.csv).toBe(runs[0]!.csv);
    expect(runs[1]!.w).toEqual(runs[0]!.w);
    expect(runs[0]!.csv.split('\n')[0]).toMatch(/^epoch,train\/box_loss/);
  });

  it('a different seed gives a different run', async () => {
    const a = YoloModel.create(tinyP6Spec(2), { seed: 1, names });
    const b = YoloModel.create(tinyP6Spec(2), { seed: 1, names });
    const ra = await fit(options(a, { epochs: 1, validate: undefined }));
    const rb = await fit(options(b, { epochs: 1, validate: undefined, seed: 8 }));
    expect(resultsCsv(rb.rows)).not.toBe(resultsCsv(ra.rows));
    a.dispose();
    b.dispose();
  });

  it('in-process resume from the epoch-0 checkpoint reproduces the uninterrupted run bit for bit', async () => {
    const dirA = join(tmp, 'a');
    const full = YoloModel.create(tinyP6Spec(2), { seed: 2, names });
    await fit(options(full, { epochs: 3, freeze: [1, 2], hooks: runFileHooks({ dir: dirA }) }));
    const dirB = join(tmp, 'b');
    const part = YoloModel.create(tinyP6Spec(2), { seed: 2, names });
    // stop after the first epoch by failing in the hook (as a crash would), after last.vckpt was written
    const crash = { onEpochEnd: () => Promise.reject(new Error('simulated crash')) };
    await expect(fit(options(part, { epochs: 3, freeze: [1, 2], hooks: composeHooks(runFileHooks({ dir: dirB }), crash) }))).rejects.toThrow('simulated crash');
    part.dispose();
    const resumed = YoloModel.create(tinyP6Spec(2), { seed: 99, names });
    await fit(options(resumed, { epochs: 3, resume: loadCheckpoint(runPaths(dirB).last), hooks: runFileHooks({ dir: dirB }) }));
    expect(readFileSync(runPaths(dirB).results, 'utf8')).toBe(readFileSync(runPaths(dirA).results, 'utf8'));
    const wa = loadCheckpoint(runPaths(dirA).last).weights;
    const wb = loadCheckpoint(runPaths(dirB).last).weights;
    for (const [k, v] of wa) expect(wb.get(k)!.data, k).toEqual(v.data);
    expect(loadCheckpoint(runPaths(dirA).last).training).toBeUndefined(); // stripped to EMA
    full.dispose();
    resumed.dispose();
  });

  it('a NaN loss stops with a clear error and keeps the last good checkpoint', async () => {
    const dir = join(tmp, 'nan');
    const model = YoloModel.create(tinyP6Spec(2), { seed: 1, names });
    const good = data.source(4, 2);
    const source = {
      batchesPerEpoch: good.batchesPerEpoch,
      epoch: (e: number, seed: number) => {
        const eb = good.epoch(e, seed);
        if (e === 0) return eb;
        return {
          count: eb.count,
          batches: (async function* () {
            for await (const b of eb.batches) yield { ...b, images: b.images.map(() => NaN) };
          })(),
        };
      },
    };
    const err = await fit(options(model, { epochs: 2, source, hooks: runFileHooks({ dir }) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as Error).message).toMatch(/loss is NaN at epoch 1, batch 0/);
    const ck = loadCheckpoint(runPaths(dir).last);
    expect((ck.training!.state as { epoch: number }).epoch).toBe(0);
    model.dispose();
  });

  it('best.vckpt is the epoch with the best fitness (crafted sequence), --patience stops early', async () => {
    const dir = join(tmp, 'best');
    const model = YoloModel.create(tinyP6Spec(2), { seed: 4, names });
    // YOLOv5's fitness 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95 over injected metrics: best at epoch 1, then worse
    const seq = [0.2, 0.6, 0.4, 0.3, 0.5, 0.9];
    let ev: Awaited<ReturnType<typeof evaluateModel>> | undefined; // evaluated once: only the injected numbers matter
    const validate = async (m: YoloModel, info: { epoch: number }) => {
      ev ??= await evaluateModel(m, data.valBatches(8), { names });
      const v = seq[info.epoch]!;
      return { metrics: { ...ev.metrics, map50: v, map50_95: v / 2 } };
    };
    const res = await fit(options(model, { epochs: 6, source: data.source(4, 4), valPeriod: 1, patience: 3, fitness: { map50: 0.1, map50_95: 0.9 }, validate, hooks: runFileHooks({ dir }) }));
    model.dispose();
    expect(res.rows.map((r) => r.map50)).toEqual([0.2, 0.6, 0.4, 0.3, 0.5]); // every epoch validated, stopped after epoch 4
    expect(res.stoppedEarly).toEqual({ epoch: 4 });
    expect(res.bestEpoch).toBe(1);
    expect(res.bestFitness).toBeCloseTo(0.1 * 0.6 + 0.9 * 0.3, 12);
    const best = loadCheckpoint(runPaths(dir).best);
    const last = loadCheckpoint(runPaths(dir).last);
    expect(best.meta?.['epoch']).toBe(1);
    expect(last.meta?.['epoch']).toBe(4);
    expect(readFileSync(runPaths(dir).best)).not.toEqual(readFileSync(runPaths(dir).last));
    const csv = readFileSync(runPaths(dir).results, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 5);
    expect(csv.slice(1).every((l) => l.split(',')[9] !== '')).toBe(true); // mAP@0.5 on every row
  }, 240_000);

  it('resume refuses a checkpoint without training state', async () => {
    const model = YoloModel.create(tinyP6Spec(2), { seed: 1, names });
    const stripped = loadCheckpoint(runPaths(join(tmp, 'a')).last);
    await expect(fit(options(model, { resume: stripped }))).rejects.toThrow(/no training state/);
    model.dispose();
  });
});

describe('kill -9 and --resume (separate process)', () => {
  const script = fileURLToPath(new URL('./fixtures/tiny-run.ts', import.meta.url));
  function run(args: string[], killAfter?: RegExp): Promise<{ code: number | null; signal: string | null; out: string }> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (killAfter && killAfter.test(out)) p.kill('SIGKILL');
      });
      p.stderr.on('data', (d: Buffer) => (out += d.toString()));
      p.on('error', reject);
      p.on('close', (code, signal) => resolve({ code, signal, out }));
    });
  }

  it('SIGKILL after the first checkpoint, then resume → the same final weights as an uninterrupted run', async () => {
    const full = join(tmp, 'proc-full');
    const cut = join(tmp, 'proc-cut');
    const [a, b] = await Promise.all([run([full]), run([cut], /epoch 0 done/)]);
    expect(a.code, a.out).toBe(0);
    expect(b.signal).toBe('SIGKILL');
    expect(b.out).not.toMatch(/finished/);
    const c = await run([cut, '--resume']);
    expect(c.code, c.out).toBe(0);
    const wa = loadCheckpoint(runPaths(full).last).weights;
    const wc = loadCheckpoint(runPaths(cut).last).weights;
    expect([...wc.keys()]).toEqual([...wa.keys()]);
    for (const [k, v] of wa) expect(Buffer.from(wc.get(k)!.data.buffer).equals(Buffer.from(v.data.buffer)), k).toBe(true);
    expect(readFileSync(runPaths(cut).results, 'utf8')).toBe(readFileSync(runPaths(full).results, 'utf8'));
  }, 600_000);
});
