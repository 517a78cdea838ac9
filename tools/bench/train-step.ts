/**
 * Training-step and fused-inference benchmark of the accelerated CPU path (issue 3), on the CPU-acceleration
 * prototype's toy net (11 Conv+BN+SiLU blocks with a C3-like branch, SPPF-like max pools, nearest upsample, concats;
 * shared/reference/cpu-acceleration-spike/e2e_tfjs.js). A training step = forward + mean-square loss + backward +
 * momentum-SGD update (`optimizer.minimize`). Fused inference = BatchNorm folded into the convs (Conv+bias+SiLU).
 * Paths: native (wasm + oneDNN addon), portable (wasm + composite gradients), stock cpu (one step only: slow).
 * Baseline: the same net in PyTorch (tools/bench/toy_net_torch.py, 2 threads), measured in the same run.
 * YOLOv5n6 (the target) is measured only when @vigil/yolov5 is in the workspace (not yet: skipped).
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/train-step.ts \
 *     [--size 320] [--batch 8] [--steps 5] [--infer-size 640] [--infer-batch 1] [--paths native,portable,cpu] [--no-torch]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { activateCpuAccel, convBiasSilu, convBnSilu, isFusedConvBnSiluAvailable, patchCpuBackend } from '@vigil/cpu-accel';
import { Rng } from '@vigil/core';
import { median } from './stats.js';

const { values: opts } = parseArgs({
  options: {
    size: { type: 'string', default: '320' },
    batch: { type: 'string', default: '8' },
    steps: { type: 'string', default: '5' },
    'infer-size': { type: 'string', default: '640' },
    'infer-batch': { type: 'string', default: '1' },
    paths: { type: 'string', default: 'native,portable,cpu' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const S = Number(opts.size), B = Number(opts.batch), STEPS = Number(opts.steps);
const IS = Number(opts['infer-size']), IB = Number(opts['infer-batch']);
const WARMUP = 2;
const here = dirname(fileURLToPath(import.meta.url));
const now = () => performance.now();

// ---- the toy net: weights made once (seeded), variables per backend ----
interface ConvSpec { c1: number; c2: number; k: number; s: number; p: number; bn: boolean }
const SPECS: Record<string, ConvSpec> = {};
const conv = (name: string, c1: number, c2: number, k: number, s: number, p: number, bn = true) => (SPECS[name] = { c1, c2, k, s, p, bn });
conv('L0', 3, 16, 6, 2, 2); conv('L1', 16, 32, 3, 2, 1);
conv('L2a', 32, 16, 1, 1, 0); conv('L2b', 16, 16, 3, 1, 1); conv('L2c', 32, 16, 1, 1, 0); conv('L2d', 32, 32, 1, 1, 0);
conv('L3', 32, 64, 3, 2, 1); conv('L4a', 64, 32, 1, 1, 0); conv('L4b', 96, 64, 1, 1, 0); conv('L5', 96, 32, 1, 1, 0);
conv('HEAD', 32, 18, 1, 1, 0, false);
const rng = new Rng(1);
const init = Object.fromEntries(Object.entries(SPECS).map(([n, c]) => {
  const a = new Float32Array(c.k * c.k * c.c1 * c.c2);
  const lim = Math.sqrt(6 / (c.k * c.k * c.c1));
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-lim, lim);
  return [n, a];
}));
const BN_EPS = 1e-3;

interface Layer { w: tf.Variable; gamma?: tf.Variable; beta?: tf.Variable; bias?: tf.Variable; spec: ConvSpec }
function makeLayers(): Record<string, Layer> {
  return Object.fromEntries(Object.entries(SPECS).map(([n, c]) => {
    const w = tf.variable(tf.tensor4d(init[n]!, [c.k, c.k, c.c1, c.c2]), true, `${n}.w`);
    return [n, c.bn
      ? { w, gamma: tf.variable(tf.ones([c.c2])), beta: tf.variable(tf.zeros([c.c2])), spec: c }
      : { w, bias: tf.variable(tf.zeros([c.c2])), spec: c }];
  }));
}
function disposeLayers(ls: Record<string, Layer>): void {
  for (const l of Object.values(ls)) tf.dispose([l.w, l.gamma, l.beta, l.bias].filter((v): v is tf.Variable => v !== undefined));
}

type Block = (x: tf.Tensor4D) => tf.Tensor4D;
function forward(L: Record<string, Block>, x: tf.Tensor4D): tf.Tensor4D {
  const x1 = L['L1']!(L['L0']!(x));
  const a = L['L2a']!(x1);
  const b = tf.add(a, L['L2b']!(a)) as tf.Tensor4D;
  const x2 = L['L2d']!(tf.concat([b, L['L2c']!(x1)], 3));
  const s = L['L4a']!(L['L3']!(x2));
  const m1 = tf.maxPool(s, 5, 1, 'same'), m2 = tf.maxPool(m1, 5, 1, 'same');
  const x4 = L['L4b']!(tf.concat([s, m1, m2], 3));
  const up = tf.image.resizeNearestNeighbor(x4, [x4.shape[1] * 2, x4.shape[2] * 2]);
  return L['HEAD']!(L['L5']!(tf.concat([up, x2], 3)));
}
function trainBlocks(ls: Record<string, Layer>): Record<string, Block> {
  return Object.fromEntries(Object.entries(ls).map(([n, l]) => [n, (x: tf.Tensor4D) => l.spec.bn
    ? convBnSilu(x, l.w as tf.Tensor4D, l.gamma as tf.Tensor1D, l.beta as tf.Tensor1D, { stride: l.spec.s, pad: l.spec.p, eps: BN_EPS }).y
    : tf.add(tf.conv2d(x, l.w as tf.Tensor4D, l.spec.s, pad(l.spec.p)), l.bias!) as tf.Tensor4D]));
}
/** BatchNorm folded with running mean 0 / var 1 (a fresh net), as YOLOv5's fuse() does. Caller disposes. */
function fusedBlocks(ls: Record<string, Layer>): { blocks: Record<string, Block>; tensors: tf.Tensor[] } {
  const tensors: tf.Tensor[] = [];
  const blocks = Object.fromEntries(Object.entries(ls).map(([n, l]) => {
    if (!l.spec.bn) return [n, (x: tf.Tensor4D) => tf.add(tf.conv2d(x, l.w as tf.Tensor4D, l.spec.s, pad(l.spec.p)), l.bias!) as tf.Tensor4D];
    const scale = tf.div(l.gamma!, Math.sqrt(1 + BN_EPS));
    const w = tf.mul(l.w, scale) as tf.Tensor4D, b = tf.sub(l.beta!, tf.mul(0, scale)) as tf.Tensor1D;
    tensors.push(scale, w, b);
    return [n, (x: tf.Tensor4D) => convBiasSilu(x, w, b, { stride: l.spec.s, pad: l.spec.p })];
  }));
  return { blocks, tensors };
}
function pad(p: number): tf.backend_util.ExplicitPadding {
  return [[0, 0], [p, p], [p, p], [0, 0]];
}
function input(n: number, s: number): tf.Tensor4D {
  const r = new Rng(999);
  const a = new Float32Array(n * s * s * 3);
  for (let i = 0; i < a.length; i++) a[i] = r.uniform(-1, 1);
  return tf.tensor4d(a, [n, s, s, 3]);
}

interface PathResult { path: string; desc: string; stepMs: number; inferMs?: number; topKernels: string; inferKernels?: string; tensorsPerStep: string }

async function measure(path: string, steps: number): Promise<PathResult> {
  let desc: string;
  if (path === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await patchCpuBackend();
    desc = 'stock tfjs cpu backend (+ fixed ResizeNearestNeighborGrad)';
  } else {
    const s = await activateCpuAccel({ kernels: path === 'portable' ? 'portable' : 'auto' });
    if (path === 'native' && s.path !== 'native') throw new Error(`native path unavailable: ${s.description}`);
    desc = s.description;
  }
  const ls = makeLayers();
  const x = input(B, S);
  const blocks = trainBlocks(ls);
  const opt = tf.train.momentum(0.01, 0.9);
  const step = () => {
    const loss = opt.minimize(() => tf.mean(tf.square(forward(blocks, x))), true)!;
    loss.dataSync();
    loss.dispose();
  };
  const times: number[] = [], counts: number[] = [];
  const warm = path === 'cpu' ? 0 : WARMUP;
  for (let i = 0; i < steps + warm; i++) {
    const t0 = now();
    step();
    if (i >= warm) times.push(now() - t0);
    counts.push(tf.memory().numTensors);
  }
  const topKernels = path === 'cpu' ? '' : await kernelTimes(step);
  let inferMs: number | undefined, inferKernels: string | undefined;
  if (path !== 'cpu') {
    const { blocks: fb, tensors } = fusedBlocks(ls);
    const xi = input(IB, IS);
    const it: number[] = [];
    // (returning the values from tf.tidy would make tidy walk every element looking for tensors: keep the tensor)
    const infer = () => {
      const y = tf.tidy(() => forward(fb, xi));
      y.dataSync();
      y.dispose();
    };
    for (let i = 0; i < STEPS + WARMUP; i++) {
      const t0 = now();
      infer();
      if (i >= WARMUP) it.push(now() - t0);
    }
    inferMs = median(it);
    inferKernels = await kernelTimes(infer);
    tf.dispose([...tensors, xi]);
  }
  disposeLayers(ls);
  x.dispose();
  opt.dispose();
  return { path, desc, stepMs: median(times), inferMs, topKernels, inferKernels, tensorsPerStep: counts.join(',') };
}

/** Per-kernel milliseconds of one call of `f` (tf.profile), the 12 largest. */
async function kernelTimes(f: () => void): Promise<string> {
  const prof = await tf.profile(() => { f(); });
  const byKernel = new Map<string, number>();
  for (const k of prof.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
  return [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, t]) => `${k} ${t.toFixed(1)}`).join(', ');
}

function torchBaseline(): { train_nchw: number; train_channels_last: number; infer_nchw: number; infer_channels_last: number; torch: string } | null {
  if (opts['no-torch'] || !existsSync('/usr/bin/python3')) return null;
  const r = spawnSync('/usr/bin/python3', [join(here, 'toy_net_torch.py'), String(S), String(B), String(IS), String(IB), String(STEPS)], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`PyTorch baseline failed: ${(r.stderr || '').trim().split('\n').pop()}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  console.log(`# train-step bench: toy net, train ${S}x${S} batch ${B}, fused inference ${IS}x${IS} batch ${IB}, ${STEPS} steps (median)`);
  console.log(`load average at start: ${loadavg().map((v) => v.toFixed(1)).join(' ')} (machine shared: numbers are noisy)`);
  let haveYolo = false;
  try {
    await import('@vigil/yolov5' as string);
    haveYolo = true;
  } catch { /* not in this workspace */ }
  if (!haveYolo) console.log('yolov5n6: @vigil/yolov5 is not in this workspace: skipped (toy net only)');
  const torch = torchBaseline();
  const results: PathResult[] = [];
  for (const p of opts.paths.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      results.push(await measure(p, p === 'cpu' ? 1 : STEPS));
    } catch (e) {
      console.log(`${p}: skipped (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const imgs = (ms: number, n: number) => (n / ms) * 1000;
  console.log('\n| path | train step ms | img/s | × PyTorch NCHW | × PyTorch channels_last | fused infer ms/img | × PyTorch NCHW |');
  console.log('|---|---|---|---|---|---|---|');
  if (torch) {
    console.log(`| PyTorch ${torch.torch} NCHW (2 threads) | ${torch.train_nchw.toFixed(0)} | ${imgs(torch.train_nchw, B).toFixed(1)} | 1.00 | | ${(torch.infer_nchw / IB).toFixed(1)} | 1.00 |`);
    console.log(`| PyTorch ${torch.torch} channels_last | ${torch.train_channels_last.toFixed(0)} | ${imgs(torch.train_channels_last, B).toFixed(1)} | | 1.00 | ${(torch.infer_channels_last / IB).toFixed(1)} | |`);
  }
  for (const r of results) {
    const ratio = (t: number | undefined) => (t ? (t / r.stepMs).toFixed(2) : '');
    const inf = r.inferMs === undefined ? '' : (r.inferMs / IB).toFixed(1);
    const infRatio = r.inferMs !== undefined && torch ? (r.inferMs / torch.infer_nchw).toFixed(2) : '';
    console.log(`| ${r.path}: ${r.desc} | ${r.stepMs.toFixed(0)} | ${imgs(r.stepMs, B).toFixed(1)} | ${ratio(torch?.train_nchw)} | ${ratio(torch?.train_channels_last)} | ${inf} | ${infRatio} |`);
  }
  console.log('\n(× PyTorch for training = our img/s ÷ PyTorch img/s, > 1 is faster; for inference = our ms ÷ PyTorch ms, < 1 is faster)');
  for (const r of results) {
    if (r.topKernels) console.log(`\nper-kernel ms, one ${r.path} training step (tf.profile): ${r.topKernels}`);
    if (r.inferKernels) console.log(`per-kernel ms, one ${r.path} fused inference: ${r.inferKernels}`);
    console.log(`${r.path}: tensors after each step: ${r.tensorsPerStep}`);
  }
  if (results.some((r) => r.path === 'native')) console.log(`fused Conv+BN+SiLU kernel available on the native path: ${isFusedConvBnSiluAvailable() || 'n/a after switching'}`);
}

await main();
