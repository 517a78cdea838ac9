/**
 * YOLOv5 forward benchmark: eval-mode inference of a shipped spec (default yolov5n6 at 640, batch 1), unfused vs fused
 * (Conv+BN folded), on a tfjs backend, and in the same run the original's PyTorch fused inference of the same spec
 * (2 threads; when Debian's python3-torch and a checkout of the original are available: SEED_SRC=<dir>).
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/yolov5-forward.ts [--cfg yolov5n6] [--img 640] [--reps 5] [--backend wasm]
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@vigil/runtime';
import { YoloModel, loadSpec, resolveSpecPath } from '@vigil/yolov5';
import { median } from './stats.js';

const { values } = parseArgs({ options: { cfg: { type: 'string', default: 'yolov5n6' }, img: { type: 'string', default: '640' }, reps: { type: 'string', default: '5' }, backend: { type: 'string', default: 'wasm' } } });
const IMG = Number(values.img);
const REPS = Number(values.reps);
const cfgPath = resolveSpecPath(values.cfg!)!;

const choice = await initBackend({ prefer: values.backend!, log: false });
const model = YoloModel.create(loadSpec(cfgPath), { seed: 0 });
const x = tf.randomUniform([1, IMG, IMG, 3], 0, 1, 'float32', 1) as tf.Tensor4D;

function time(label: string): number {
  model.predict(x).dispose(); // warm-up
  const ts: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    const y = model.predict(x);
    y.dataSync();
    ts.push(performance.now() - t);
    y.dispose();
  }
  const m = median(ts);
  console.log(`${label.padEnd(28)} ${m.toFixed(1)} ms (median of ${REPS})`);
  return m;
}

console.log(`${values.cfg} at ${IMG}×${IMG}, batch 1, tfjs backend ${choice.tfBackend}`);
const unfused = time('ours, unfused');
model.fuse();
const fused = time('ours, fused');
console.log(`fused / unfused: ${(unfused / fused).toFixed(2)}× faster`);

const PY = String.raw`
import os, sys, time, json, types, logging
sys.path.insert(0, os.environ['SEED_SRC'])
sys.modules.setdefault('seaborn', types.ModuleType('seaborn'))
logging.disable(logging.CRITICAL)
import torch
torch.set_num_threads(2)
from models.yolo import Model
m = Model(sys.argv[1]).fuse().eval()
x = torch.rand(1, 3, int(sys.argv[2]), int(sys.argv[2]))
ts = []
with torch.no_grad():
    m(x)
    for _ in range(int(sys.argv[3])):
        t = time.perf_counter(); m(x); ts.append((time.perf_counter() - t) * 1e3)
print(json.dumps(ts))
`;
if (process.env['SEED_SRC']) {
  const r = spawnSync('/usr/bin/python3', ['-c', PY, cfgPath, String(IMG), String(REPS)], { encoding: 'utf8' });
  if (r.status === 0) {
    const pt = median(JSON.parse(r.stdout.trim().split('\n').pop()!) as number[]);
    console.log(`${'original PyTorch, fused'.padEnd(28)} ${pt.toFixed(1)} ms (median of ${REPS}, 2 threads)`);
    console.log(`ours fused vs PyTorch fused: ${(fused / pt).toFixed(2)}× the time`);
  } else console.log(`(PyTorch baseline failed: ${r.stderr.trim().split('\n').pop()})`);
} else console.log('(set SEED_SRC=<checkout of the original> for the PyTorch baseline)');
x.dispose();
model.dispose();
