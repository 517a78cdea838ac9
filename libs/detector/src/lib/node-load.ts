import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { VigilUserError, type ImageU8 } from '@vigil/core';
import { decodeImage } from '@vigil/dataset';
import { bytesOfSource, detectorFromBytes, fetchBytes, type Detector } from './detector.js';
import type { DetectorOptions } from './options.js';
import { portableRgb, type PortableInput } from './pixels.js';

/** What `detect()` takes in Node: an image file path or its bytes (Buffer), or any {@link PortableInput}. */
export type NodeDetectorInput = string | Uint8Array | PortableInput;

/** Where `load()` finds the weights in Node: a `.vckpt`/`.pt` path, a `file:`/`http(s):` URL, or the bytes. */
export type NodeWeightsSource = string | URL | ArrayBuffer | ArrayBufferView;

async function readRgb(input: NodeDetectorInput): Promise<ImageU8> {
  if (typeof input === 'string') return decodeImage(input);
  if (input instanceof Uint8Array) return decodeImage(input);
  const rgb = await portableRgb(input);
  if (!rgb) throw new VigilUserError('detect: unsupported input; in Node pass an image path, a Buffer with the file bytes, an ImageU8, ImageData-like pixels or a tf.Tensor3D');
  return rgb;
}

async function weightsBytes(source: NodeWeightsSource): Promise<{ bytes: Uint8Array; name: string }> {
  if (typeof source !== 'string' && !(source instanceof URL)) return { bytes: bytesOfSource(source), name: '<weights bytes>' };
  const text = String(source);
  if (/^https?:/i.test(text)) return { bytes: await fetchBytes(text), name: text };
  const path = /^file:/i.test(text) ? fileURLToPath(text) : text;
  try {
    return { bytes: await readFile(path), name: path };
  } catch (e) {
    throw new VigilUserError(`weights ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
}

/**
 * Loads a detector in Node: `source` is a `.vckpt` or YOLOv5 `.pt` (path, `file:` or `http(s):` URL, or bytes). The
 * tfjs backend is the caller's (set it up first, e.g. `initBackend()` from @vigil/runtime, or tfjs-node).
 */
export async function load(source: NodeWeightsSource, options: DetectorOptions = {}): Promise<Detector<NodeDetectorInput>> {
  const { bytes, name } = await weightsBytes(source);
  return detectorFromBytes(bytes, name, options, readRgb);
}
