// The page's script: ?weights=<url of a .vckpt or .pt>&image=<url>&backend=webgl|wasm|webgpu&conf=0.25&size=640.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { load } from '@vigil/detector';

const q = new URLSearchParams(location.search);
const status = document.getElementById('status');
const img = document.getElementById('photo');
try {
  setWasmPaths(q.get('wasm') ?? '/wasm/');
  await tf.setBackend(q.get('backend') ?? 'webgl');
  img.src = q.get('image') ?? 'image.jpg';
  await img.decode();
  const detector = await load(q.get('weights') ?? 'model.vckpt', { confThres: Number(q.get('conf') ?? 0.25), imgSize: Number(q.get('size') ?? 640) });
  const detections = await detector.detect(img);
  detector.dispose();
  const canvas = document.getElementById('boxes');
  Object.assign(canvas, { width: img.naturalWidth, height: img.naturalHeight });
  const ctx = canvas.getContext('2d');
  ctx.lineWidth = Math.max(2, img.naturalWidth / 300);
  ctx.font = `${Math.max(12, img.naturalWidth / 50)}px system-ui`;
  for (const d of detections) {
    const [x, y, w, h] = d.bbox;
    ctx.strokeStyle = ctx.fillStyle = `hsl(${(d.classId * 67) % 360} 90% 45%)`;
    ctx.strokeRect(x, y, w, h);
    ctx.fillText(`${d.class} ${d.score.toFixed(2)}`, x + 3, Math.max(12, y - 4));
    document.getElementById('list').append(Object.assign(document.createElement('li'), { textContent: `${d.class} ${d.score.toFixed(3)} [${d.bbox.map((v) => Math.round(v)).join(', ')}]` }));
  }
  status.textContent = `${detections.length} detection(s) on ${tf.getBackend()}`;
  document.body.dataset.detections = JSON.stringify(detections);
} catch (e) {
  status.textContent = `error: ${e.message}`;
  document.body.dataset.error = e.message;
}
