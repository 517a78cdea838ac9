// Detect objects in one image with @vigil/detector: node examples/detect/index.mjs <image> [weights.vckpt|.pt]
// (default weights: $VIGIL_WEIGHTS, else the default training run's runs/train/synthetic/stage2/weights/last.vckpt).
import { initBackend } from '@vigil/runtime';
import { load } from '@vigil/detector';

const [image = 'image.jpg', weights = process.env.VIGIL_WEIGHTS ?? 'runs/train/synthetic/stage2/weights/last.vckpt'] = process.argv.slice(2);
await initBackend(); // tfjs-node if installed, else the accelerated CPU path, else wasm/cpu (VIGIL_BACKEND to choose)
const detector = await load(weights, { imgSize: Number(process.env.VIGIL_IMG_SIZE ?? 640), confThres: Number(process.env.VIGIL_CONF ?? 0.25) });
const detections = await detector.detect(image);
console.log(`${image}: ${detections.length} detection(s)`);
for (const d of detections) console.log(`${d.class} ${d.score.toFixed(3)} [${d.bbox.map((v) => Math.round(v)).join(', ')}]`);
detector.dispose();
