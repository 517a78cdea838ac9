import type { ImageU8 } from '@vigil/core';

/**
 * Grey-in-RGB shortcut. The in-cabin IR frames are grey images stored as RGB (R = G = B). Every augmentation here
 * treats channels independently (warp, mosaic, flips, mixup) or, for HSV, maps a grey pixel through the value LUT
 * only — so running the pipeline on one channel and expanding at the end gives bit-identical results at a third of
 * the work.
 */

/** The single channel of a grey-in-RGB image, or `null` as soon as one pixel has R ≠ G or G ≠ B. */
export function greyChannel(img: ImageU8): ImageU8 | null {
  if (img.channels !== 3) return null;
  const src = img.data;
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const v = src[j]!;
    if (v !== src[j + 1] || v !== src[j + 2]) return null;
    out[i] = v;
  }
  return { data: out, width: img.width, height: img.height, channels: 1 };
}

/** A 1-channel image expanded to R = G = B. */
export function greyToRgb(img: ImageU8): ImageU8 {
  if (img.channels !== 1) throw new RangeError(`greyToRgb needs a 1-channel image, got ${img.channels} channels`);
  const src = img.data;
  const out = new Uint8Array(src.length * 3);
  for (let i = 0, j = 0; i < src.length; i++, j += 3) {
    const v = src[i]!;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}
