/**
 * yolov5 training step and fused inference on the accelerated CPU path, with and without the custom kernels
 * @vigil/cpu-accel registers in tfjs' registry (the fused Conv+BN+SiLU ones @vigil/yolov5 runs, the fused SGD update
 * @vigil/trainer runs), against the original PyTorch code
 * (../shared/reference/pytorch-anchor/bench_torch.py) in the same run.
 *
 *   SEED_SRC=<original repo> node --conditions=@vigil/source --import tsx tools/bench/yolov5-train.ts \
 *     [--cfg yolov5n6] [--img 320] [--batch 8] [--steps 6] [--infer-img 640] [--anchor <dir of bench_torch.py>]
 *   … tools/bench/yolov5-train.ts --profile [--plain] [--shapes]   # per-kernel ms of the step (tf.profile), no baseline
 *   … tools/bench/yolov5-train.ts --native-calls                   # wall ms of each native addon function in the step
 *   --fused-only: skip the plain-ops runs (shorter); --no-fused-sgd: the fused runs without the fused SGD update. CPU ms/step = the process's CPU time (all threads) per step.
 *
 * Step = forward (train mode) + the original's ComputeLoss + backward + SGD (Nesterov) update, hyp.scratch-p6;
 * random images and 6 random targets per image, as bench_torch.py. Inference = fused model, batch 1, no NMS.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { BN_SILU, CONV_BN_SILU, HYP_SCRATCH_P6, SGD_STEP } from '@vigil/core';
import { loadNativeAddon } from '@vigil/cpu-accel';
import { initBackend } from '@vigil/runtime';
import { GroupedOptimizer, lossAndGrads } from '@vigil/trainer';
import { YoloModel, loadSpec, resolveSpecPath } from '@vigil/yolov5';
import { randomTargets } from './random-targets.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    cfg: { type: 'string', default: 'yolov5n6' },
    img: { type: 'string', default: '320' },
    batch: { type: 'string', default: '8' },
    steps: { type: 'string', default: '6' },
    'infer-img': { type: 'string', default: '640' },
    anchor: { type: 'string', default: join(import.meta.dirname, '../../../shared/reference/pytorch-anchor') },
    profile: { type: 'boolean', default: false },
    plain: { type: 'boolean', default: false },
    shapes: { type: 'boolean', default: false },
    'fused-only': { type: 'boolean', default: false },
    'no-fused-sgd': { type: 'boolean', default: false },
    'native-calls': { type: 'boolean', default: false },
  },
});
const IMG = Number(values.img);
const B = Number(values.batch);
const STEPS = Number(values.steps);
const INFER = Number(values['infer-img']);

const choice = await initBackend({ prefer: 'accel' });
const specPath = resolveSpecPath(values.cfg!);
if (!specPath) throw new Error(`unknown model spec ${values.cfg}`);
/** The custom kernels the activation registered, kept so the plain runs can take them out of the registry. */
const fusedKernels = [CONV_BN_SILU, BN_SILU, SGD_STEP].map((name) => tf.getKernel(name, tf.getBackend())).filter((k) => k !== undefined);

/** on = as activated: fused Conv+BN+SiLU kernels and the fused SGD update (`--no-fused-sgd`: without it). */
function setKernels(on: boolean): void {
  for (const k of fusedKernels) {
    const want = on && !(k.kernelName === SGD_STEP && values['no-fused-sgd']);
    const has = tf.getKernel(k.kernelName, k.backendName) !== undefined;
    if (has && !want) tf.unregisterKernel(k.kernelName, k.backendName);
    if (!has && want) tf.registerKernel(k);
  }
}

/** The benchmarked training step (forward + loss + backward + optimiser) on a fresh model; `dispose` frees it. */
function trainStep(on: boolean): { step: () => number; params: number; dispose: () => void } {
  setKernels(on);
  const model = YoloModel.create(loadSpec(specPath!, { nc: 7 }), { seed: 0 });
  const x = tf.randomUniform([B, IMG, IMG, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const tgt = randomTargets(B);
  const vars = [...model.variables()].filter(([n]) => !n.endsWith('running_mean') && !n.endsWith('running_var')).map(([, v]) => v);
  const opt = new GroupedOptimizer(vars, { lr: 0.01, momentum: 0.937, weightDecay: 5e-4 });
  const opts = { anchors: model.anchors, strides: model.strides, nc: 7, hyp: HYP_SCRATCH_P6, imgSize: IMG };
  const step = (): number => {
    const r = lossAndGrads(() => model.forwardTrain(x), tgt, opts, vars);
    opt.step(r.grads);
    tf.dispose(Object.values(r.grads));
    return r.loss;
  };
  return { step, params: model.parameterCount(), dispose: () => { x.dispose(); model.dispose(); } };
}

/** img/s from the median wall time of a step; `cpuMs`: median CPU time of the process a step (all its threads). */
function trainImgPerS(on: boolean): { imgPerS: number; cpuMs: number; loss: number; params: number } {
  const { step, params, dispose } = trainStep(on);
  const times: number[] = [];
  const cpu: number[] = [];
  let loss = 0;
  for (let i = 0; i < STEPS + 2; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    loss = step();
    const c = process.cpuUsage(c0);
    if (i >= 2) {
      times.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  dispose();
  return { imgPerS: B / (median(times) / 1000), cpuMs: median(cpu), loss, params };
}

const size = (s: readonly number[] | undefined): number => (s ? s.reduce((a, b) => a * b, 1) : 0);

/** Floating-point operations (2 per multiply-add) of a convolution kernel call, 0 for other kernels. */
function convFlop(name: string, ins: number[][], outs: number[][]): number {
  const macs = (out: number[] | undefined, f: number[] | undefined) => size(out) * (f ? f[0]! * f[1]! * f[2]! : 0);
  if (name === 'Conv2D' || name === 'FusedConv2D') return 2 * macs(outs[0], ins[1]);
  if (name === 'Conv2DBackpropInput') return 2 * macs(ins[0], ins[1]);
  if (name === 'Conv2DBackpropFilter') return 2 * macs(ins[1], outs[0]);
  return 0;
}

/** Per-kernel time of the step: tf.profile over `STEPS` steps after 2 warm-up steps, ms per step by kernel name. */
async function profileStep(on: boolean): Promise<void> {
  const { step, dispose } = trainStep(on);
  step();
  step();
  const walls: number[] = [];
  const info = await tf.profile(() => {
    for (let i = 0; i < STEPS; i++) {
      const t0 = performance.now();
      step();
      walls.push(performance.now() - t0);
    }
  });
  dispose();
  const by = new Map<string, { ms: number; n: number; flop: number }>();
  for (const k of info.kernels) {
    const key = values.shapes ? `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}` : k.name;
    const e = by.get(key) ?? { ms: 0, n: 0, flop: 0 };
    e.ms += k.kernelTimeMs as number;
    e.n += 1;
    e.flop += convFlop(k.name, k.inputShapes, k.outputShapes);
    by.set(key, e);
  }
  const rows = [...by].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, e]) => s + e.ms, 0) / STEPS;
  const wall = walls.reduce((s, w) => s + w, 0) / STEPS;
  console.log(`profile: ${on ? 'fused Conv+BN+SiLU' : 'plain ops'}, ${STEPS} steps; wall ${wall.toFixed(0)} ms/step (under the profiler), kernels ${total.toFixed(0)} ms/step`);
  console.log('| kernel | calls/step | ms/step | % of kernel time | GFLOP/s |');
  console.log('|---|---|---|---|---|');
  for (const [name, e] of rows.slice(0, values.shapes ? 400 : 30)) {
    const gf = e.flop ? (e.flop / (e.ms / 1000) / 1e9).toFixed(1) : '';
    console.log(`| ${name} | ${(e.n / STEPS).toFixed(0)} | ${(e.ms / STEPS).toFixed(1)} | ${((100 * e.ms) / STEPS / total).toFixed(1)} | ${gf} |`);
  }
}

/**
 * Time inside each native addon function during the fused step (wrapped with a timer; no tf.profile), against the
 * step's wall time: what is left is tfjs bookkeeping, the wasm kernels and garbage collection.
 */
function nativeCalls(): void {
  const addon = loadNativeAddon().addon as unknown as Record<string, unknown> | null;
  if (!addon) {
    console.log(`native addon not loaded: ${loadNativeAddon().detail}`);
    return;
  }
  const acc = new Map<string, { ms: number; n: number }>();
  for (const [k, f] of Object.entries(addon)) {
    if (typeof f !== 'function') continue;
    addon[k] = (...a: unknown[]) => {
      const t0 = performance.now();
      const r = (f as (...x: unknown[]) => unknown)(...a);
      const e = acc.get(k) ?? { ms: 0, n: 0 };
      e.ms += performance.now() - t0;
      e.n++;
      acc.set(k, e);
      return r;
    };
  }
  const { step, dispose } = trainStep(true);
  step();
  step();
  acc.clear();
  const walls: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    step();
    walls.push(performance.now() - t0);
  }
  dispose();
  const total = [...acc.values()].reduce((s, e) => s + e.ms, 0) / STEPS;
  const wall = median(walls);
  console.log(`native calls: ${STEPS} steps; wall median ${wall.toFixed(1)} ms/step, in native functions ${total.toFixed(1)} ms/step (mean), outside ${(wall - total).toFixed(1)}`);
  console.log('| native function | calls/step | ms/step |');
  console.log('|---|---|---|');
  for (const [name, e] of [...acc].sort((a, b) => b[1].ms - a[1].ms)) console.log(`| ${name} | ${(e.n / STEPS).toFixed(0)} | ${(e.ms / STEPS).toFixed(2)} |`);
}

function inferMs(on: boolean): number {
  setKernels(on);
  const model = YoloModel.create(loadSpec(specPath!, { nc: 7 }), { seed: 0 });
  model.fuse();
  const x = tf.randomUniform([1, INFER, INFER, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    const y = model.predict(x);
    y.dataSync();
    y.dispose();
    if (i >= 2) times.push(performance.now() - t0);
  }
  x.dispose();
  model.dispose();
  return median(times);
}

function torch(): { train_images_per_s: number; infer_ms_per_image: number } | string {
  const script = join(values.anchor!, 'bench_torch.py');
  if (!process.env['SEED_SRC'] || !existsSync(script)) return 'SEED_SRC or bench_torch.py missing';
  const cfg = join(values.anchor!, 'models', `${values.cfg}.yaml`);
  const r = spawnSync('/usr/bin/python3', [script, existsSync(cfg) ? cfg : specPath!, String(IMG), String(B), String(STEPS)], { encoding: 'utf8' });
  if (r.status !== 0) return `python failed: ${r.stderr.trim().split('\n').pop()}`;
  const train = JSON.parse(r.stdout.trim().split('\n').pop()!) as { train_images_per_s: number; infer_ms_per_image: number };
  const ri = spawnSync('/usr/bin/python3', [script, existsSync(cfg) ? cfg : specPath!, String(INFER), '1', '1'], { encoding: 'utf8' });
  const inf = ri.status === 0 ? (JSON.parse(ri.stdout.trim().split('\n').pop()!) as { infer_ms_per_image: number }) : undefined;
  return { train_images_per_s: train.train_images_per_s, infer_ms_per_image: inf?.infer_ms_per_image ?? Number.NaN };
}

console.log(`backend: ${choice.kind} — ${choice.reason}`);
if (values.profile) {
  await profileStep(!values.plain);
} else if (values['native-calls']) {
  nativeCalls();
} else {
  const plain = values['fused-only'] ? { imgPerS: Number.NaN, cpuMs: Number.NaN, loss: Number.NaN, params: 0 } : trainImgPerS(false);
  const fused = trainImgPerS(true);
  const infPlain = values['fused-only'] ? Number.NaN : inferMs(false);
  const infFused = inferMs(true);
  const pt = torch();
  console.log(`${values.cfg} (${fused.params} params) train img ${IMG} batch ${B}, median of ${STEPS} steps; inference ${INFER} batch 1, fused, median of 10`);
  const cpu = (r: { imgPerS: number; cpuMs: number }) => `(wall ${(1000 * B / r.imgPerS).toFixed(0)} ms/step, CPU ${r.cpuMs.toFixed(0)} ms/step)`;
  if (values['fused-only']) console.log('  ours, plain ops:          skipped (--fused-only)');
  else console.log(`  ours, plain ops:          ${plain.imgPerS.toFixed(1)} img/s   inference ${infPlain.toFixed(1)} ms/img   (loss ${plain.loss.toFixed(4)}) ${cpu(plain)}`);
  console.log(`  ours, fused Conv+BN+SiLU: ${fused.imgPerS.toFixed(1)} img/s   inference ${infFused.toFixed(1)} ms/img   (loss ${fused.loss.toFixed(4)}) ${cpu(fused)}`);
  if (typeof pt === 'string') console.log(`  PyTorch: skipped (${pt})`);
  else {
    console.log(`  original PyTorch:         ${pt.train_images_per_s.toFixed(1)} img/s   inference ${pt.infer_ms_per_image.toFixed(1)} ms/img`);
    console.log(`  ratio (fused / PyTorch):  train ${(fused.imgPerS / pt.train_images_per_s).toFixed(2)}×   inference time ${(infFused / pt.infer_ms_per_image).toFixed(2)}×`);
  }
}
