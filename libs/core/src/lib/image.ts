/**
 * An 8-bit image in memory: row-major HWC, channels interleaved (RGB for colour, as the original after its BGR→RGB
 * flip; 1 channel for grayscale). `data.length === width · height · channels`.
 */
export interface ImageU8 {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/**
 * An image with its boxes, the unit the loader and the augmentations pass around.
 * `labels` is `[n, 5]` float32 row-major: class index, then x1, y1, x2, y2 in **pixels of `image`**
 * (the original's `labels` inside `load_mosaic` / `random_perspective`).
 */
export interface LabeledImage {
  image: ImageU8;
  labels: Float32Array;
}

/** Allocates a `width × height × channels` image filled with `fill` (YOLOv5's grey border is 114). */
export function createImage(width: number, height: number, channels: 1 | 3 = 3, fill = 0): ImageU8 {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
  const data = new Uint8Array(width * height * channels);
  if (fill) data.fill(fill);
  return { data, width, height, channels };
}
