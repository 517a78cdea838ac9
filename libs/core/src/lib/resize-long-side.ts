import type { ImageU8 } from './image.js';
import { resizeArea } from './resize-area.js';
import { resizeBilinear } from './resize-bilinear.js';

/**
 * The loader's resize of decoded pixels (the original's `load_image`): long side to `imgSize`, size
 * `int(w·r), int(h·r)`; cv2 INTER_AREA ({@link resizeArea}) when shrinking without augmentation, else cv2-style bilinear
 * ({@link resizeBilinear}); the image itself when r = 1. Shared by the loader, vigil-predict's video frames and @vigil/detector.
 */
export function resizeLongSide(image: ImageU8, imgSize: number, augment = false): ImageU8 {
  const r = imgSize / Math.max(image.height, image.width);
  if (r === 1) return image;
  const w = Math.trunc(image.width * r);
  const h = Math.trunc(image.height * r);
  return r < 1 && !augment ? resizeArea(image, w, h) : resizeBilinear(image, w, h);
}
