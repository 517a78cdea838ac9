/**
 * Loss benchmark: computeLoss forward and forward+backward (gradient w.r.t. the 4 P6 prediction maps) at a training
 * size, against — in the same run — the original's PyTorch ComputeLoss on the same shapes and targets (when Debian's
 * python3-torch and a checkout of the original are available: SEED_SRC=<dir>), and against our loss with tfjs's own
 * gather gradient (unsortedSegmentSum) instead of `gatherRows` (only at small sizes: it is O(rows·n)).
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/trainer-loss.ts [--img 640] [--batch 4] [--targets 60] [--reps 5] [--backend cpu]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@vigil/core';
import { initBackend } from '@vigil/runtime';
import { computeLoss, gatherRows, HYP_SCRATCH_P6, type ComputeLossOptions } from '@vigil/trainer';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    img: { type: 'string', default: '640' },
    batch: { type: 'string', default: '4' },
    targets: { type: 'string', default: '60' },
    reps: { type: 'string', default: '5' },
    backend: { type: 'string', default: 'cpu' },
  },
});
const IMG = Number(values.img);
const B = Number(values.batch);
const NT = Number(values.targets);
const REPS = Number(values.reps);
const NC = 7;
const STRIDES = [8, 16, 32, 64];
const ANCHORS_PX = [
  [19, 27, 44, 40, 38, 94],
  [96, 68, 86, 152, 180, 137],
  [140, 301, 303, 264, 238, 542],
  [436, 615, 739, 380, 925, 792],
];
const anchors = ANCHORS_PX.map((l, i) => [0, 1, 2].map((a) => [Math.fround(l[2 * a]! / STRIDES[i]!), Math.fround(l[2 * a + 1]! / STRIDES[i]!)]));

await initBackend({ prefer: values.backend, log: false });

const rng = new Rng(1);
const targets = new Float32Array(NT * 6);
for (let t = 0; t < NT; t++) targets.set([rng.int(B), rng.int(NC), rng.random(), rng.random(), rng.uniform(0.02, 0.5), rng.uniform(0.02, 0.5)], t * 6);
const preds = STRIDES.map((s) => tf.randomNormal([B, IMG / s, IMG / s, 3, NC + 5], 0, 1.5, 'float32', s));
const opts: ComputeLossOptions = { anchors, strides: STRIDES, nc: NC, hyp: HYP_SCRATCH_P6, imgSize: IMG };

function time(fn: () => void): number {
  const ts: number[] = [];
  for (let r = 0; r < REPS + 1; r++) {
    const t = performance.now();
    fn();
    if (r > 0) ts.push(performance.now() - t);
  }
  return median(ts);
}

const fwd = time(() => {
  const r = computeLoss(preds, targets, opts);
  r.loss.dataSync();
  tf.dispose([r.loss, r.items]);
});
const bwd = time(() => {
  const g = tf.grads((...ps: tf.Tensor[]) => {
    const r = computeLoss(ps, targets, opts);
    r.items.dispose();
    return r.loss;
  })(preds);
  g.forEach((x) => x.dataSync());
  tf.dispose(g);
});

const PY = String.raw`
import os, sys, time, json
import numpy as np, torch, torch.nn as nn
torch.set_num_threads(2)
sys.path.insert(0, os.environ['SEED_SRC'])
from utils.loss import ComputeLoss
_c = torch.Tensor.clamp_
def _cc(self, min=None, max=None):
    cast = int if not self.is_floating_point() else float
    min = cast(min.item()) if isinstance(min, torch.Tensor) else min
    max = cast(max.item()) if isinstance(max, torch.Tensor) else max
    return _c(self, min, max)
torch.Tensor.clamp_ = _cc
img, B, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
targets = torch.tensor(json.loads(sys.argv[4]), dtype=torch.float32).view(-1, 6)
strides = [8, 16, 32, 64]
A = torch.tensor(json.loads(sys.argv[5]), dtype=torch.float32)
class D(nn.Module):
    def __init__(s):
        super().__init__(); s.nl, s.na, s.nc = 4, 3, 7; s.register_buffer('anchors', A); s.stride = torch.tensor(strides, dtype=torch.float32)
class M(nn.Module):
    def __init__(s):
        super().__init__(); s.p = nn.Parameter(torch.zeros(1)); s.model = nn.ModuleList([D()]); s.gr = 1.0
        s.hyp = dict(box=0.05 * 0.75, cls=0.3 * 7 / 80 * 3 / 4, obj=0.7 * (img / 640) ** 2 * 0.75, cls_pw=1.0, obj_pw=1.0, anchor_t=4.0, fl_gamma=0.0, label_smoothing=0.0)
cl = ComputeLoss(M())
p = [torch.randn(B, 3, img // s, img // s, 12) * 1.5 for s in strides]
def run(back):
    ts = []
    for r in range(reps + 1):
        ps = [x.clone().requires_grad_(back) for x in p]
        t = time.perf_counter(); loss, _ = cl(ps, targets)
        if back: loss.backward()
        if r: ts.append((time.perf_counter() - t) * 1e3)
    return sorted(ts)[len(ts) // 2]
print(json.dumps({'fwd': run(False), 'bwd': run(True)}))
`;

function runTorch(): { fwd: number; bwd: number } | string {
  if (!process.env['SEED_SRC']) return 'SEED_SRC not set';
  const r = spawnSync('/usr/bin/python3', ['-c', PY, String(IMG), String(B), String(REPS), JSON.stringify(Array.from(targets)), JSON.stringify(anchors)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return `python failed: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { fwd: number; bwd: number };
}

const rows = preds.reduce((s, p) => s + p.size / (NC + 5), 0);
console.log(`computeLoss benchmark: P6, img ${IMG}, batch ${B}, ${NT} targets, ${rows} prediction rows, backend ${tf.getBackend()}; median of ${REPS}`);
const torch = runTorch();
const base = (ours: number, k: 'fwd' | 'bwd') => (typeof torch === 'string' ? `original: skipped (${torch})` : `original (PyTorch, 2 threads): ${torch[k].toFixed(1)} ms → ratio ours/original ${(ours / torch[k]).toFixed(2)}`);
console.log(`forward           ours: ${fwd.toFixed(1)} ms | ${base(fwd, 'fwd')}`);
console.log(`forward+backward  ours: ${bwd.toFixed(1)} ms | ${base(bwd, 'bwd')}`);

// gatherRows vs tfjs's gather gradient, on one level-0-sized map
const small = tf.randomNormal([B, IMG / 8, IMG / 8, 3, NC + 5]);
const flat = tf.reshape(small, [-1, NC + 5]) as tf.Tensor2D;
const idx = Int32Array.from({ length: 500 }, () => rng.int(flat.shape[0]));
const gOurs = time(() => tf.dispose(tf.grad((x: tf.Tensor) => tf.sum(gatherRows(x as tf.Tensor2D, idx)))(flat)));
const gTf = flat.shape[0] <= 20000 ? time(() => tf.dispose(tf.grad((x: tf.Tensor) => tf.sum(tf.gather(x, tf.tensor1d(idx, 'int32'))))(flat))) : NaN;
console.log(
  `gather gradient (${flat.shape[0]} rows, 500 picks): gatherRows ${gOurs.toFixed(1)} ms | tf.gather ${Number.isNaN(gTf) ? 'skipped (> 20000 rows: minutes)' : `${gTf.toFixed(1)} ms → ratio ${(gTf / gOurs).toFixed(1)}× slower`}`,
);
tf.dispose([...preds, small, flat]);
