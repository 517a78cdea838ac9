/**
 * Per-image latency at batch 1 of @vigil/detector's `detect()` on our accelerated CPU path (wasm + native oneDNN
 * Conv+BN+SiLU kernels) against the same model exported with `exportOnnx` and run by onnxruntime-node (what a user
 * would pick instead for CPU inference), and the original's PyTorch forward (SEED_SRC), in the same run. Medians.
 *
 *   node --conditions=@vigil/source --import tsx tools/bench/detector-onnx.ts [--cfg yolov5n6] [--img 640] [--reps 20] [--threads 2] [--backend accel]
 *
 * Rows: `detect()` end to end from a decoded RGB image (resize + letterbox + forward + NMS + scaling), our forward
 * alone (letterboxed input, fused model), ONNX Runtime's `session.run` alone on the same input, ONNX Runtime plus
 * our pre- and post-processing (the end-to-end alternative), PyTorch's fused forward. The goal (issue 16): ours ≤
 * 1.25× ONNX Runtime's time. The model is a seeded, untrained spec (timings do not depend on the weights); the image
 * is a seeded 640×480 pattern, so the letterbox is rectangular as for a camera frame.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, letterbox, nonMaxSuppression, rectBatchShapes, type ImageU8 } from '@vigil/core';
import { load } from '@vigil/detector';
import { initBackend } from '@vigil/runtime';
import { YoloModel, checkpointFromModel, encodeCheckpoint, exportOnnx, loadSpec, resolveSpecPath } from '@vigil/yolov5';
import * as ort from 'onnxruntime-node';
import { median } from './stats.js';
import { torchForwardMs } from './torch-forward.js';

const { values } = parseArgs({
  options: {
    cfg: { type: 'string', default: 'yolov5n6' },
    img: { type: 'string', default: '640' },
    reps: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'accel' },
  },
});
const IMG = Number(values.img);
const REPS = Number(values.reps);
const THREADS = Number(values.threads);
const cfgPath = resolveSpecPath(values.cfg!);
if (!cfgPath) throw new Error(`--cfg ${values.cfg}: no such spec`);

// the accel activation registers the fused Conv+BN+SiLU kernel the model picks up
const choice = await initBackend({ prefer: values.backend!, log: false });

// A seeded model and image; the detector loads the checkpoint bytes through its public API.
const model = YoloModel.create(loadSpec(cfgPath), { seed: 0 });
const bytes = encodeCheckpoint(checkpointFromModel(model));
const onnxBytes = exportOnnx(model, { imgSize: [IMG, IMG], dynamic: true });
const rng = new Rng(3);
const W0 = IMG; // a 4:3 frame whose long side is the inference size: detect() letterboxes it without a resize
const H0 = Math.round((IMG * 3) / 4);
const image: ImageU8 = { data: Uint8Array.from({ length: W0 * H0 * 3 }, () => rng.int(256)), width: W0, height: H0, channels: 3 };
const detector = await load(bytes, { imgSize: IMG });
const stride = Math.max(32, ...model.strides);

// The network input detect() builds (vigil-predict's rect letterbox of one image), for the forward-only rows.
const shape = rectBatchShapes([[W0, H0]], 1, IMG, stride).batchShapes[0]!;
const [H, W] = shape;
/** Letterboxed pixels ÷ 255 as `[1, H, W, 3]` (ours) and `[1, 3, H, W]` (ONNX). */
function networkInput(): { nhwc: Float32Array; nchw: Float32Array } {
  const lb = letterbox(image, shape, { auto: false, scaleup: false }).image;
  const nhwc = Float32Array.from(lb.data, (v) => v / 255);
  const nchw = new Float32Array(nhwc.length);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) nchw[(c * H + y) * W + x] = nhwc[(y * W + x) * 3 + c]!;
  return { nhwc, nchw };
}
const { nhwc, nchw } = networkInput();

async function timeIt(label: string, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up (kernel set-up, allocations)
  const ts: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  const m = median(ts);
  console.log(`${label.padEnd(44)} ${m.toFixed(1)} ms (median of ${REPS})`);
  return m;
}

console.log(`${values.cfg} at ${IMG} (input ${W}×${H} from a ${W0}×${H0} image), batch 1; tfjs backend ${choice.tfBackend} (${choice.kind}); ONNX Runtime ${THREADS} threads`);
const ours = await timeIt('ours: detect() end to end', () => detector.detect(image));
model.fuse();
const x = tf.tensor4d(nhwc, [1, H, W, 3]);
const oursForward = await timeIt('ours: fused forward', async () => {
  const y = model.predict(x);
  await y.data();
  y.dispose();
});
const session = await ort.InferenceSession.create(onnxBytes, { intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
const feed = { images: new ort.Tensor('float32', nchw, [1, 3, H, W]) };
const ortForward = await timeIt('ONNX Runtime: session.run', () => session.run(feed));
const ortE2e = await timeIt('ONNX Runtime + our pre/post-processing', async () => {
  const out = (await session.run({ images: new ort.Tensor('float32', networkInput().nchw, [1, 3, H, W]) }))['output']!;
  nonMaxSuppression(out.data as Float32Array, { numClasses: model.nc, confThres: 0.25, iouThres: 0.45, maxDet: 1000 });
});
console.log(`ours / ONNX Runtime: forward ${(oursForward / ortForward).toFixed(2)}×, end to end ${(ours / ortE2e).toFixed(2)}× the time (goal ≤ 1.25×)`);
const pt = torchForwardMs(cfgPath, IMG, REPS);
if (typeof pt === 'number') console.log(`${'original PyTorch: fused forward (square input)'.padEnd(44)} ${pt.toFixed(1)} ms; ours forward ${(oursForward / pt).toFixed(2)}× its time`);
else console.log(`(${pt})`);

await session.release();
x.dispose();
detector.dispose();
model.dispose();
