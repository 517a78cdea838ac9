/**
 * YOLOv5 forward benchmark: eval-mode inference of a shipped spec (default yolov5n6 at 640, batch 1), unfused vs fused
 * (Conv+BN folded), on a tfjs backend, and in the same run the original's PyTorch fused inference of the same spec
 * (2 threads; when Debian's python3-torch and a checkout of the original are available: SEED_SRC=<dir>).
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/yolov5-forward.ts [--cfg yolov5n6] [--img 640] [--reps 5] [--backend wasm]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@vigil/runtime';
import { YoloModel, loadSpec, resolveSpecPath } from '@vigil/yolov5';
import { median } from './stats.js';
import { torchForwardMs } from './torch-forward.js';

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

const pt = torchForwardMs(cfgPath, IMG, REPS);
if (typeof pt === 'number') {
  console.log(`${'original PyTorch, fused'.padEnd(28)} ${pt.toFixed(1)} ms (median of ${REPS}, 2 threads)`);
  console.log(`ours fused vs PyTorch fused: ${(fused / pt).toFixed(2)}× the time`);
} else console.log(`(${pt})`);
x.dispose();
model.dispose();
