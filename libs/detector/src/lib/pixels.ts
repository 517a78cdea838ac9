import * as tf from '@tensorflow/tfjs-core';
import { VigilUserError, type ImageU8 } from '@vigil/core';

/** Pixels of an `ImageData` (or anything shaped like it): RGBA rows, `data.length = width·height·4`. */
export interface ImageDataLike {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** Inputs every entry accepts: an `ImageU8` (HWC uint8, 1 or 3 channels), `ImageData`, or a `tf.Tensor3D` `[H, W, 1|3|4]` of 0–255 values. */
export type PortableInput = ImageU8 | ImageDataLike | tf.Tensor3D;

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

function isImageU8(x: unknown): x is ImageU8 {
  const o = x as Partial<ImageU8>;
  return o !== null && typeof o === 'object' && o.data instanceof Uint8Array && (o.channels === 1 || o.channels === 3) && typeof o.width === 'number';
}

function isImageDataLike(x: unknown): x is ImageDataLike {
  const o = x as Partial<ImageDataLike> & { channels?: unknown };
  return o !== null && typeof o === 'object' && o.channels === undefined && (o.data instanceof Uint8ClampedArray || o.data instanceof Uint8Array) && typeof o.width === 'number';
}

/** Interleaved `channels`-per-pixel bytes → RGB (grey replicated, alpha dropped, as cv2.imread / the loader do). */
function toRgb(src: ArrayLike<number>, width: number, height: number, channels: number, what: string): ImageU8 {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new VigilUserError(`${what}: size ${width}×${height} is not a positive integer size`);
  if (src.length !== width * height * channels) throw new VigilUserError(`${what}: holds ${src.length} values, expected ${width}×${height}×${channels}`);
  if (channels === 3 && src instanceof Uint8Array) return { data: src, width, height, channels: 3 };
  const n = width * height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (channels === 1) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = src[i]!;
    else for (let c = 0; c < 3; c++) data[3 * i + c] = src[channels * i + c]!;
  }
  return { data, width, height, channels: 3 };
}

/**
 * RGB pixels of an input every entry accepts, or `undefined` when `input` is none of them (the entry then tries its
 * own kinds). A tensor's values are rounded and clamped to 0–255 (tf.browser.fromPixels gives int32 0–255).
 */
export async function portableRgb(input: unknown): Promise<ImageU8 | undefined> {
  if (isTensor(input)) {
    if (input.rank !== 3 || ![1, 3, 4].includes(input.shape[2]!)) throw new VigilUserError(`detect: a tensor input must be [height, width, 1|3|4] with values 0–255, got [${input.shape}]`);
    const [h, w, c] = input.shape as [number, number, number];
    const values = await input.data();
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = Math.round(values[i]!);
      bytes[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return toRgb(bytes, w, h, c, 'tensor input');
  }
  if (isImageU8(input)) return toRgb(input.data, input.width, input.height, input.channels, 'ImageU8 input');
  if (isImageDataLike(input)) return toRgb(input.data, input.width, input.height, 4, 'ImageData input');
  return undefined;
}
