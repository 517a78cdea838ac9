/**
 * NMS benchmark: 700k candidates × 12 values (nc = 7), the size of one 1536-px image through 2 models × 3 TTA scales.
 * Times our `nonMaxSuppression` and, in the same run, the original's PyTorch `non_max_suppression` on the same data
 * (when Debian's python3-torch/torchvision and a checkout of the original are available: SEED_SRC=<dir>).
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/nms.ts [--n 700000] [--reps 7]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng, nonMaxSuppression } from '@vigil/core';
import { median } from './stats.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '700000' }, reps: { type: 'string', default: '7' } } });
const N = Number(values.n);
const REPS = Number(values.reps);
const NC = 7;
const NO = 5 + NC;

/** Candidates like a trained detector's: few confident objects, most cells near-zero objectness. */
function makeCandidates(kind: 'realistic' | 'worst', seed: number): Float32Array {
  const rng = new Rng(seed);
  const p = new Float32Array(N * NO);
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  for (let i = 0; i < N; i++) {
    const b = i * NO;
    p[b] = rng.uniform(0, 1536);
    p[b + 1] = rng.uniform(0, 1536);
    p[b + 2] = rng.uniform(4, 300);
    p[b + 3] = rng.uniform(4, 300);
    p[b + 4] = kind === 'worst' ? rng.uniform(0.01, 1) : sig(rng.normal(-7, 2));
    for (let c = 0; c < NC; c++) p[b + 5 + c] = kind === 'worst' ? rng.random() : sig(rng.normal(-4, 2));
  }
  return p;
}

const PY = String.raw`
import os, sys, time, json
import numpy as np, torch
torch.set_num_threads(2)
sys.path.insert(0, os.environ['SEED_SRC'])
from utils.general import non_max_suppression
p = torch.from_numpy(np.fromfile(sys.argv[1], dtype=np.float32).reshape(1, -1, int(sys.argv[2])))
ts = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); out = non_max_suppression(p.clone(), 0.006, 0.7, multi_label=True)[0]; ts.append((time.perf_counter() - t) * 1e3)
print(json.dumps({'ms': ts, 'count': int(out.shape[0])}))
`;

function runTorch(p: Float32Array): { ms: number[]; count: number } | string {
  const src = process.env['SEED_SRC'];
  if (!src) return 'SEED_SRC not set';
  const dir = mkdtempSync(join(tmpdir(), 'vigil-nms-'));
  try {
    const f = join(dir, 'pred.f32');
    writeFileSync(f, p);
    const r = spawnSync('/usr/bin/python3', ['-c', PY, f, String(NO), String(REPS)], { encoding: 'utf8', env: { ...process.env } });
    if (r.status !== 0) return `python failed: ${r.stderr.trim().split('\n').pop()}`;
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number[]; count: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`NMS benchmark: ${N} candidates × ${NO} values, conf 0.006, IoU 0.7, multi-label, max_det 300; median of ${REPS}`);
for (const kind of ['realistic', 'worst'] as const) {
  const p = makeCandidates(kind, 1);
  const ts: number[] = [];
  let count = 0;
  for (let r = 0; r < REPS + 1; r++) {
    const t = performance.now();
    count = nonMaxSuppression(p, { numClasses: NC, confThres: 0.006, iouThres: 0.7, maxDet: 300 }).count;
    if (r > 0) ts.push(performance.now() - t); // first run warms up the JIT
  }
  const ours = median(ts);
  const torch = runTorch(p);
  const base = typeof torch === 'string' ? `original (PyTorch): skipped (${torch})` : `original (PyTorch 2 threads): ${median(torch.ms).toFixed(1)} ms (${torch.count} kept) → ratio ${(median(torch.ms) / ours).toFixed(2)}× faster`;
  console.log(`${kind.padEnd(9)} ours: ${ours.toFixed(1)} ms (${count} kept) | ${base}`);
}
