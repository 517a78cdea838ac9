import { VigilUserError, type ImageU8 } from '@vigil/core';
import { bytesOfSource, detectorFromBytes, fetchBytes, type Detector } from './detector.js';
import type { DetectorOptions } from './options.js';
import { portableRgb, type PortableInput } from './pixels.js';

/** A DOM image source: what a 2D canvas can draw. */
export type DomImage = HTMLImageElement | HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap;

/** What `detect()` takes in a browser: a DOM image source, `ImageData`, an `ImageU8` or a `tf.Tensor3D`. */
export type BrowserDetectorInput = DomImage | PortableInput;

/** Where `load()` finds the weights in a browser: a URL (absolute or relative to the page) or the bytes. */
export type BrowserWeightsSource = string | URL | ArrayBuffer | ArrayBufferView;

/** Size a DOM source is drawn at: its intrinsic pixels (not its CSS size). */
function domSize(x: DomImage): [number, number] {
  if (typeof HTMLImageElement !== 'undefined' && x instanceof HTMLImageElement) return [x.naturalWidth, x.naturalHeight];
  if (typeof HTMLVideoElement !== 'undefined' && x instanceof HTMLVideoElement) return [x.videoWidth, x.videoHeight];
  return [x.width, x.height];
}

function isDomImage(x: unknown): x is DomImage {
  return [globalThis.HTMLImageElement, globalThis.HTMLVideoElement, globalThis.HTMLCanvasElement, globalThis.OffscreenCanvas, globalThis.ImageBitmap].some(
    (C) => typeof C === 'function' && x instanceof C,
  );
}

/** Draws a DOM source on a 2D canvas of its own size and reads the RGBA pixels back. */
function domPixels(x: DomImage): ImageData {
  const [w, h] = domSize(x);
  if (!(w > 0 && h > 0)) throw new VigilUserError(`detect: the image has no pixels yet (${w}×${h}); wait for it to load (img.decode(), video 'loadeddata')`);
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : Object.assign(document.createElement('canvas'), { width: w, height: h });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (!ctx) throw new VigilUserError('detect: this browser gives no 2D canvas context to read the image pixels');
  ctx.drawImage(x, 0, 0);
  return ctx.getImageData(0, 0, w, h);
}

async function readRgb(input: BrowserDetectorInput): Promise<ImageU8> {
  const rgb = isDomImage(input) ? await portableRgb(domPixels(input)) : await portableRgb(input);
  if (!rgb) throw new VigilUserError('detect: unsupported input; pass an HTMLImageElement, HTMLVideoElement, HTMLCanvasElement, OffscreenCanvas, ImageBitmap, ImageData, ImageU8 or tf.Tensor3D');
  return rgb;
}

/**
 * Loads a detector in a browser: `source` is the URL of a `.vckpt` or YOLOv5 `.pt`, or its bytes. The tfjs backend is
 * the caller's (`await tf.setBackend('webgl' | 'webgpu' | 'wasm')` before).
 */
export async function load(source: BrowserWeightsSource, options: DetectorOptions = {}): Promise<Detector<BrowserDetectorInput>> {
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(source);
    return detectorFromBytes(await fetchBytes(url), url, options, readRgb);
  }
  return detectorFromBytes(bytesOfSource(source), '<weights bytes>', options, readRgb);
}
