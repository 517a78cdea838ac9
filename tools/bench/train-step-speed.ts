// Seconds per training iteration (forward + loss + backward + SGD step) of a YOLOv5 P6 model on the active backend.
// node --conditions=@vigil/source --import tsx tools/bench/train-step-speed.ts [cfg=yolov5n6] [img=320] [batch=8] [iters=4]
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@vigil/runtime';
import { GroupedOptimizer, HYP_SCRATCH_P6, lossAndGrads } from '@vigil/trainer';
import { YoloModel, loadSpec, resolveSpecPath } from '@vigil/yolov5';

const [cfg = 'yolov5n6', imgS = '320', bS = '8', itS = '4'] = process.argv.slice(2);
const img = Number(imgS);
const B = Number(bS);
await initBackend({});
const model = YoloModel.create(loadSpec(resolveSpecPath(cfg) ?? cfg, { nc: 7 }), { seed: 0 });
const g = model.variableGroups();
const vars = [...g.bnWeights, ...g.weights, ...g.biases].map((v) => v.variable);
const opt = new GroupedOptimizer(vars, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
const x = tf.randomUniform([B, img, img, 3]) as tf.Tensor4D;
const targets = new Float32Array(Array.from({ length: B * 4 }, (_, k) => [Math.floor(k / 4), k % 7, 0.3 + 0.1 * (k % 4), 0.5, 0.1, 0.15]).flat());
const times: number[] = [];
for (let i = 0; i < Number(itS); i++) {
  const t0 = performance.now();
  const r = lossAndGrads(() => model.forwardTrain(x), targets, { anchors: model.anchors, strides: model.strides, nc: 7, hyp: HYP_SCRATCH_P6, imgSize: img }, vars);
  opt.setHyper([0.01, 0.01, 0.01], 0.9);
  opt.step(r.grads);
  tf.dispose(Object.values(r.grads));
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
console.log(`${cfg} img ${img} batch ${B}: median ${times[Math.floor(times.length / 2)]!.toFixed(2)} s/iter (${times.map((t) => t.toFixed(2)).join(' ')}), backend ${tf.getBackend()}`);
