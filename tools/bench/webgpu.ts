/**
 * yolov5 training img/s and fused inference ms/img on the webgpu backend (tfjs-backend-webgpu on Dawn, whatever
 * adapter is present: the start-up line names it), against a CPU baseline measured in the same run (default: the
 * accelerated CPU path with its fused kernels off, i.e. the same plain tfjs ops). On a machine with a GPU and its
 * Vulkan driver this measures the GPU; here only SwiftShader (a CPU emulation) exists, so `--backend webgpu` is
 * implied and the numbers say nothing about GPUs.
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/webgpu.ts [--cfg yolov5n6] [--img 320] [--batch 8] \
 *     [--steps 6] [--infer-img 640] [--infer-reps 10] [--baseline accel|cpu|wasm|none]
 *
 * Step = forward (train mode) + ComputeLoss + backward + SGD (Nesterov) update, hyp.scratch-p6, random images and 6
 * random targets an image (as tools/bench/yolov5-train.ts); two warm-up steps (shader compilation) are not timed.
 * Each step ends by reading the loss back, so the GPU work is finished when the clock stops. Inference = fused model,
 * batch 1, no NMS, the decoded output read back.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { HYP_SCRATCH_P6 } from '@vigil/core';
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
    'infer-reps': { type: 'string', default: '10' },
    baseline: { type: 'string', default: 'accel' },
  },
});
const IMG = Number(values.img);
const B = Number(values.batch);
const STEPS = Number(values.steps);
const INFER = Number(values['infer-img']);
const INFER_REPS = Number(values['infer-reps']);
const WARMUP = 2;
const specPath = resolveSpecPath(values.cfg!);
if (!specPath) throw new Error(`unknown model spec ${values.cfg}`);

/** Training img/s from the median wall time of a step after the warm-up. */
function trainImgPerS(): { imgPerS: number; loss: number } {
  const model = YoloModel.create(loadSpec(specPath!, { nc: 7 }), { seed: 0 });
  const x = tf.randomUniform([B, IMG, IMG, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const tgt = randomTargets(B);
  const vars = [...model.variables()].filter(([, v]) => v.trainable).map(([, v]) => v);
  const opt = new GroupedOptimizer(vars, { lr: 0.01, momentum: 0.937, weightDecay: 5e-4, nesterov: true });
  const opts = { anchors: model.anchors, strides: model.strides, nc: 7, hyp: HYP_SCRATCH_P6, imgSize: IMG };
  const times: number[] = [];
  let loss = Number.NaN;
  for (let i = 0; i < STEPS + WARMUP; i++) {
    const t0 = performance.now();
    const r = lossAndGrads(() => model.forwardTrain(x), tgt, opts, vars);
    opt.step(r.grads);
    tf.dispose(Object.values(r.grads));
    loss = r.loss;
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  opt.dispose();
  x.dispose();
  model.dispose();
  return { imgPerS: B / (median(times) / 1000), loss };
}

/** Fused inference, batch 1: median ms an image after the warm-up. */
async function inferMs(): Promise<number> {
  const model = YoloModel.create(loadSpec(specPath!, { nc: 7 }), { seed: 0 });
  model.fuse();
  const x = tf.randomUniform([1, INFER, INFER, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const times: number[] = [];
  for (let i = 0; i < INFER_REPS + WARMUP; i++) {
    const t0 = performance.now();
    const y = model.predict(x);
    await y.data();
    y.dispose();
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  x.dispose();
  model.dispose();
  return median(times);
}

async function measure(backend: string): Promise<{ line: string; imgPerS: number; inferMs: number; loss: number }> {
  let line = '';
  await initBackend({ prefer: backend, log: (l) => (line = l) });
  console.log(line);
  const t = trainImgPerS();
  return { line, imgPerS: t.imgPerS, loss: t.loss, inferMs: await inferMs() };
}

const gpu = await measure('webgpu');
const base = values.baseline === 'none' ? undefined : await measure(values.baseline!);
console.log(`${values.cfg} train img ${IMG} batch ${B}, median of ${STEPS} steps; inference ${INFER} batch 1, fused, median of ${INFER_REPS}`);
console.log(`  webgpu:            ${gpu.imgPerS.toFixed(2)} img/s   inference ${gpu.inferMs.toFixed(1)} ms/img   (loss ${gpu.loss.toFixed(4)})`);
if (base) {
  console.log(`  ${`${values.baseline} (baseline):`.padEnd(18)} ${base.imgPerS.toFixed(2)} img/s   inference ${base.inferMs.toFixed(1)} ms/img   (loss ${base.loss.toFixed(4)})`);
  console.log(`  ratio (webgpu / baseline): train ${(gpu.imgPerS / base.imgPerS).toFixed(2)}×   inference time ${(gpu.inferMs / base.inferMs).toFixed(2)}×`);
}
