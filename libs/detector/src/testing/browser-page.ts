// The browser test's page script (bundled by src/browser.spec.ts): picks a tfjs backend, loads the checkpoint by URL
// through the browser entry and detects on an <img> (and the same pixels as OffscreenCanvas, HTMLCanvasElement,
// ImageBitmap, ImageData and a fromPixels tensor), returning plain objects to the test.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { load, type DetectedObject, type DetectorOptions } from '../browser.js';

interface PageRun {
  backend: string;
  detections: DetectedObject[];
  batch: DetectedObject[][];
  leaked: number;
}

async function run(backend: 'webgl' | 'wasm', weightsUrl: string, imageUrl: string, options: DetectorOptions): Promise<PageRun> {
  setWasmPaths('/wasm/');
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} is not available in this browser`);
  await tf.ready();
  const img = new Image();
  img.src = imageUrl;
  await img.decode();
  const d = await load(weightsUrl, options);
  const detections = await d.detect(img);
  const before = tf.memory().numTensors;
  const offscreen = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
  offscreen.getContext('2d')!.drawImage(img, 0, 0);
  const canvas = Object.assign(document.createElement('canvas'), { width: img.naturalWidth, height: img.naturalHeight });
  canvas.getContext('2d')!.drawImage(img, 0, 0);
  const imageData = offscreen.getContext('2d')!.getImageData(0, 0, img.naturalWidth, img.naturalHeight);
  const pixels = tf.browser.fromPixels(imageData);
  const batch = await d.detectBatch([offscreen, canvas, await createImageBitmap(img), imageData, pixels]);
  pixels.dispose();
  const leaked = tf.memory().numTensors - before;
  d.dispose();
  return { backend: tf.getBackend(), detections, batch, leaked };
}

(globalThis as unknown as { vigilRun: typeof run }).vigilRun = run;
