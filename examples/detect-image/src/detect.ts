// Detect objects in one image with a Vigil checkpoint: node dist/detect.js <model.vckpt> <image> [conf] [img-size]
import { letterbox, loadImage } from '@vigil/dataset';
import { initBackend } from '@vigil/runtime';
import { detectImage, loadModelFile } from '@vigil/yolov5';

const [weights = 'model.vckpt', file = 'image.jpg', conf = '0.25', size = '640'] = process.argv.slice(2);
await initBackend(); // tfjs-node if installed, else wasm, else cpu (VIGIL_BACKEND=cpu to choose)
const { model } = loadModelFile(weights);
const { image, h0, w0 } = await loadImage(file, Number(size)); // RGB, long side = size
const input = letterbox(image, Number(size), { stride: Math.max(...model.strides) }).image;
const det = detectImage(model, input, { confThres: Number(conf), originalShape: [h0, w0] });
console.log(`${file}: ${det.count} detection(s)`);
for (let i = 0; i < det.count; i++) {
  const box = Array.from(det.boxes.subarray(4 * i, 4 * i + 4), (v) => Math.round(v));
  console.log(`${model.names[det.classes[i]!]} ${det.scores[i]!.toFixed(3)} [${box.join(', ')}]`);
}
model.dispose();
