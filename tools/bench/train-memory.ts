/**
 * Peak memory of a training step and of inference on the wasm-based backends (accel / wasm), measured: the wasm heap
 * only grows, so its size after a few steps is the step's high-water mark (to Emscripten's growth granularity).
 * Each configuration runs in a fresh child process (a fresh heap). Prints one JSON line per configuration with the
 * measured heap and @vigil/yolov5's estimate (`estimateTrainMemory` / `estimatePredictMemory`); the estimate's
 * coefficients were fitted to these measurements (rows kept in libs/yolov5/src/lib/fixtures/memory-peaks.jsonl).
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/train-memory.ts [--backend accel] \
 *     [--configs yolov5n6:256:2,yolov5n6:320:4,...]          # cfg:img:batch[:predict]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { HYP_SCRATCH_P6, Rng } from '@vigil/core';
import { initBackend } from '@vigil/runtime';
import { GradientAccumulator, GroupedOptimizer, lossAndGrads, ModelEma } from '@vigil/trainer';
import { estimatePredictMemory, estimateTrainMemory, loadSpec, resolveSpecPath, YoloModel } from '@vigil/yolov5';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'accel' },
    configs: { type: 'string', default: 'yolov5n6:256:2,yolov5n6:256:8,yolov5n6:512:2,yolov5n6:512:4,yolov5s6:256:4,yolov5s6:512:2,yolov5n6:1280:1:predict,yolov5s6:1280:1:predict' },
    child: { type: 'string' },
  },
});

/** The wasm heap's size in bytes (the tfjs wasm module's memory). */
function heapBytes(): number {
  const w = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array; asm?: { memory?: { buffer: ArrayBuffer } } } }).wasm;
  return w?.asm?.memory?.buffer.byteLength ?? w?.HEAPU8?.buffer.byteLength ?? NaN;
}

async function child(cfgName: string, img: number, batch: number, predict: boolean): Promise<void> {
  // the accel activation registers the fused kernels the model and optimiser pick up
  const choice = await initBackend({ prefer: values.backend, log: false });
  const spec = loadSpec(resolveSpecPath(cfgName)!, { nc: 7 });
  const before = heapBytes();
  const model = YoloModel.create(spec, { seed: 0 });
  if (predict) {
    model.fuse();
    const x = tf.randomUniform([batch, img, img, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    for (let i = 0; i < 2; i++) model.predict(x).dispose();
  } else {
    const rng = new Rng(1);
    const t: number[] = [];
    for (let b = 0; b < batch; b++) for (let k = 0; k < 6; k++) t.push(b, rng.int(7), 0.2 + 0.6 * rng.random(), 0.2 + 0.6 * rng.random(), 0.1 + 0.2 * rng.random(), 0.1 + 0.2 * rng.random());
    const tgt = Float32Array.from(t);
    const vars = [...model.variables()].filter(([n]) => !n.endsWith('running_mean') && !n.endsWith('running_var')).map(([, v]) => v);
    // as fit(): optimiser slots, EMA copy, gradient accumulation across batches
    const opt = new GroupedOptimizer(vars, { lr: 0.01, momentum: 0.937, weightDecay: 5e-4 });
    const ema = new ModelEma(Object.fromEntries(model.variables()));
    const acc = new GradientAccumulator();
    const x = tf.randomUniform([batch, img, img, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const opts = { anchors: model.anchors, strides: model.strides, nc: 7, hyp: HYP_SCRATCH_P6, imgSize: img };
    for (let i = 0; i < 2; i++) {
      const r = lossAndGrads(() => model.forwardTrain(x), tgt, opts, vars);
      acc.add(r.grads);
      tf.dispose(Object.values(r.grads));
      opt.step(acc.grads);
      acc.zero();
      ema.update(Object.fromEntries(model.variables()));
    }
  }
  const est = predict ? estimatePredictMemory(spec, { img, batch }) : estimateTrainMemory(spec, { img, batch });
  console.log(JSON.stringify({ cfg: cfgName, img, batch, mode: predict ? 'predict' : 'train', backend: choice.kind, params: model.parameterCount(), heapBefore: before, heap: heapBytes(), estimate: est.bytes, rss: process.memoryUsage().rss }));
}

if (values.child) {
  const [c, i, b, p] = values.child.split(':');
  await child(c!, Number(i), Number(b), p === 'predict');
} else {
  const self = fileURLToPath(import.meta.url);
  for (const cfg of values.configs!.split(',')) {
    const r = spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', self, '--backend', values.backend!, '--child', cfg], { encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    console.log(line.startsWith('{') ? line : JSON.stringify({ config: cfg, status: r.status, error: r.stderr.trim().split('\n').slice(-3).join(' | ') }));
  }
}
