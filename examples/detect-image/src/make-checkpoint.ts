// Writes a deterministic stand-in checkpoint (a seeded, untrained tiny P6 model with the getty-pets classes), so the
// example runs without a trained model: node dist/make-checkpoint.js <out.vckpt>
import { initBackend } from '@vigil/runtime';
import { YoloModel, checkpointFromModel, saveCheckpoint, tinyP6Spec } from '@vigil/yolov5';

const out = process.argv[2] ?? 'model.vckpt';
await initBackend({ log: false });
const model = YoloModel.create(tinyP6Spec(3), { seed: 1, names: ['cat', 'acanthus', 'allium'] });
saveCheckpoint(out, checkpointFromModel(model));
console.log(`wrote ${out}: ${model.names.length} classes, strides ${model.strides.join('/')}, ${model.parameterCount()} parameters`);
model.dispose();
