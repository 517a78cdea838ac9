import sharp from 'sharp';
import { VigilUserError } from '@vigil/core';
import type { ImageU8 } from '@vigil/core';
import { resizeBilinear } from './resize-bilinear.js';

/** An image as the loader reads it: RGB, long side = `imgSize`, with its original size. */
export interface LoadedImage {
  image: ImageU8;
  /** Original height and width. */
  h0: number;
  w0: number;
}

/**
 * Reads an image as 8-bit RGB (grayscale replicated, EXIF orientation applied) and resizes it so that its long side is
 * `imgSize` (the original's `load_image`: size = int(w0·r), int(h0·r)). Shrinking without augmentation uses an
 * area-like filter (libvips box shrink + linear reduce, standing in for cv2 INTER_AREA); enlarging, or any resize
 * while augmenting, is cv2-style bilinear (INTER_LINEAR).
 */
export async function loadImage(file: string, imgSize: number, augment = false): Promise<LoadedImage> {
  try {
    const base = sharp(file, { failOn: 'error' }).autoOrient().removeAlpha().toColourspace('srgb');
    const meta = await sharp(file).metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const w0 = swap ? meta.height! : meta.width!;
    const h0 = swap ? meta.width! : meta.height!;
    const r = imgSize / Math.max(h0, w0);
    const w = Math.trunc(w0 * r);
    const h = Math.trunc(h0 * r);
    if (r !== 1 && r < 1 && !augment) {
      const { data, info } = await base
        .resize(w, h, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 }, h0, w0 };
    }
    const { data, info } = await base.raw().toBuffer({ resolveWithObject: true });
    const full: ImageU8 = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
    return { image: r !== 1 ? resizeBilinear(full, w, h) : full, h0, w0 };
  } catch (e) {
    throw new VigilUserError(`cannot read image ${file}: ${(e as Error).message}`, file);
  }
}
