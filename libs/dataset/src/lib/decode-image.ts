import sharp, { type Sharp } from 'sharp';
import { VigilUserError, type ImageU8 } from '@vigil/core';
import { decodeBmp, isBmp } from './bmp.js';
import { readImageMeta } from './image-source.js';
import { loadImage } from './load-image.js';

/**
 * An image file (path) or its bytes (JPEG, PNG, WebP, TIFF, BMP, … in memory) decoded at its own size as 8-bit RGB,
 * the way {@link loadImage} reads it (EXIF orientation applied, alpha dropped, grey replicated) before any resize:
 * a path goes through `loadImage` itself (same fallbacks for BMP and damaged files), so a resize of the result with
 * the same rule gives its pixels exactly. `name` labels bytes in errors. Unreadable → a user error naming the image.
 */
export async function decodeImage(source: string | Uint8Array, name = '<image bytes>'): Promise<ImageU8> {
  if (typeof source === 'string') {
    let longSide: number;
    try {
      const m = await readImageMeta(source);
      longSide = Math.max(m.width, m.height);
    } catch (e) {
      throw new VigilUserError(`cannot read image ${source}: ${(e as Error).message}`, source);
    }
    return (await loadImage(source, longSide)).image;
  }
  try {
    let pipeline: Sharp;
    if (isBmp(source)) {
      const bmp = decodeBmp(source); // libvips cannot read BMP (as openImage)
      pipeline = sharp(Buffer.from(bmp.data.buffer, bmp.data.byteOffset, bmp.data.length), { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels } });
    } else pipeline = sharp(Buffer.from(source.buffer, source.byteOffset, source.byteLength), { failOn: 'error' });
    const { data, info } = await pipeline.autoOrient().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels, expected 3`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new VigilUserError(`cannot read image ${name}: ${(e as Error).message}`, name);
  }
}
