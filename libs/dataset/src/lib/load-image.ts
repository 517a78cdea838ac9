import { VigilUserError } from '@vigil/core';
import type { ImageU8 } from '@vigil/core';
import { oneLine } from './image-check.js';
import { openImage, readImageMeta } from './image-source.js';
import { padImage, resizeLongSide } from '@vigil/core';

/** An image as the loader reads it: RGB, long side = `imgSize`, with its original size. */
export interface LoadedImage {
  image: ImageU8;
  /** Original height and width. */
  h0: number;
  w0: number;
}

/** Border added around the loaded image (a letterbox whose resize is already done by the load). */
export interface LoadPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Grey level (default 114). */
  color?: number;
}

/**
 * Reads an image as 8-bit RGB (grayscale replicated, alpha dropped as cv2.imread does, EXIF orientation applied; BMP
 * through {@link decodeBmp}; a truncated JPEG/PNG decodes the part present, as the original keeps such images) and
 * resizes it so that its long side is `imgSize` (the original's `load_image`: size = int(w0·r), int(h0·r)). Shrinking
 * without augmentation is cv2 INTER_AREA ({@link resizeArea}, bit-exact); enlarging, or any resize while augmenting,
 * is cv2-style bilinear (INTER_LINEAR, {@link resizeBilinear}). `knownSize` (`[width, height]` after EXIF rotation, e.g. from
 * the verification cache) saves a header read. `pad` adds a constant border (done by libvips, off the JS thread, when
 * no JS resize is needed) — the same pixels as `padImage` on the result. `grey` (only for files whose header says one
 * 8-bit grey channel, `readImageMeta(file).grey`): the image comes back with **1 channel**, the values every channel
 * of the RGB load has — a third of the bytes to decode, resize and copy.
 */
export async function loadImage(
  file: string,
  imgSize: number,
  augment = false,
  knownSize?: readonly [number, number],
  pad?: LoadPadding,
  grey = false,
): Promise<LoadedImage> {
  try {
    return await loadImageWith(file, imgSize, augment, knownSize, pad, 'error', false, grey);
  } catch (e) {
    // Second chance (rare, so the usual path pays no extra read): a BMP under another extension, or a damaged file
    // (libvips' message is not always specific once a resize/extend follows, so any failure is retried): the part
    // that decodes is used, as cv2.imread does. `checkDataset` reports such files beforehand.
    try {
      return await loadImageWith(file, imgSize, augment, knownSize, pad, 'none', true, grey);
    } catch {
      /* report the first error */
    }
    throw new VigilUserError(`cannot read image ${file}: ${oneLine((e as Error).message)}`, file);
  }
}

async function loadImageWith(
  file: string,
  imgSize: number,
  augment: boolean,
  knownSize: readonly [number, number] | undefined,
  pad: LoadPadding | undefined,
  failOn: 'error' | 'none',
  sniff: boolean,
  grey: boolean,
): Promise<LoadedImage> {
  {
    let base = (await openImage(file, failOn, sniff)).autoOrient().removeAlpha().toColourspace(grey ? 'b-w' : 'srgb');
    let w0: number;
    let h0: number;
    if (knownSize) [w0, h0] = knownSize;
    else {
      const meta = await readImageMeta(file);
      const swap = meta.orientation >= 5;
      w0 = swap ? meta.height : meta.width;
      h0 = swap ? meta.width : meta.height;
    }
    const r = imgSize / Math.max(h0, w0);
    const w = Math.trunc(w0 * r);
    const h = Math.trunc(h0 * r);
    const jsResize = r !== 1;
    const color = pad?.color ?? 114;
    const hasPad = pad !== undefined && pad.top + pad.bottom + pad.left + pad.right > 0;
    if (hasPad && !jsResize) {
      base = base.extend({ top: pad.top, bottom: pad.bottom, left: pad.left, right: pad.right, background: { r: color, g: color, b: color } });
    }
    const { data, info } = await base.raw().toBuffer({ resolveWithObject: true });
    const channels = grey ? 1 : 3;
    if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels, expected ${channels}`);
    let image: ImageU8 = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels };
    if (jsResize) {
      image = resizeLongSide(image, imgSize, augment);
      if (hasPad) image = padImage(image, w + pad.left + pad.right, h + pad.top + pad.bottom, pad.left, pad.top, color);
    }
    return { image, h0, w0 };
  }
}
