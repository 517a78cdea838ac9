import type { ImageU8 } from '@vigil/core';
import { letterbox, loadImage, oneLine, readImageSize, rectBatchShapes, resizeLongSide } from '@vigil/dataset';
import { argsortNumpy } from '@vigil/evaluator';

/** An image of the run: its path and size from the header, or why it cannot be read. */
export interface ImageEntry {
  file: string;
  width: number;
  height: number;
  /** Set when the header cannot be read: the image is reported and written with no objects. */
  error?: string;
}

/** Every n-th image starting at i (of the sorted list), for `--shard i/n`. */
export function selectShard<T>(items: readonly T[], shard?: { index: number; count: number }): T[] {
  if (!shard) return [...items];
  return items.filter((_, k) => k % shard.count === shard.index);
}

/** Reads the image sizes from their headers (a few at a time); unreadable files get `error` instead of throwing. */
export async function scanImages(files: readonly string[], concurrency = 16): Promise<ImageEntry[]> {
  const out: ImageEntry[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const k = next++;
      const file = files[k]!;
      try {
        const { width, height } = await readImageSize(file);
        if (!(width >= 1 && height >= 1)) throw new Error(`bad size ${width}×${height}`);
        out[k] = { file, width, height };
      } catch (e) {
        out[k] = { file, width: 0, height: 0, error: oneLine((e as Error).message) }; // libvips' repeated lines trimmed
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return out;
}

/** One rectangular batch: its images (in rect order) and the letterbox shape `[height, width]`. */
export interface PlannedBatch {
  images: ImageEntry[];
  shape: [number, number];
}

/**
 * The original's rect test loader: images sorted by aspect ratio, batches of `batchSize`, each letterboxed to its own
 * shape `ceil(shape·imgSize/stride + pad)·stride` with pad 0.5 ({@link rectBatchShapes}). The order is NumPy's
 * (unstable) `argsort` of the float64 ratios h/w, so equal-ratio images come in the original's order too.
 */
export function planBatches(entries: readonly ImageEntry[], batchSize: number, imgSize: number, stride: number, pad = 0.5): PlannedBatch[] {
  const { order, batchShapes } = rectBatchShapes(
    entries.map((e) => [e.width, e.height] as [number, number]),
    batchSize,
    imgSize,
    stride,
    pad,
    Array.from(argsortNumpy(Float64Array.from(entries, (e) => e.height / e.width))),
  );
  return batchShapes.map((shape, b) => ({ images: order.slice(b * batchSize, (b + 1) * batchSize).map((k) => entries[k]!), shape }));
}

/** One letterboxed image ready for the network, with what is needed to map boxes back. */
export interface PreparedImage {
  entry: ImageEntry;
  /** HWC uint8 RGB of the batch shape. */
  data: Uint8Array;
  /** Original size (pixels of the file). */
  h0: number;
  w0: number;
  /** Network-input pixels per original pixel (load resize × letterbox ratio; the original's ratio_pad gain). */
  gain: number;
  /** Letterbox padding `[dw, dh]` (float, as the original's `ratio_pad[1]`). */
  pad: [number, number];
}

/**
 * Loads one image like the original's test loader (`load_image`: long side = imgSize, cv2 INTER_AREA when shrinking,
 * bilinear when enlarging; then `letterbox(shape, auto=False, scaleup=False)` with grey 114).
 */
export async function prepareImage(entry: ImageEntry, shape: [number, number], imgSize: number): Promise<PreparedImage> {
  const loaded = await loadImage(entry.file, imgSize, false);
  return letterboxLoaded(entry, loaded.image, loaded.h0, loaded.w0, shape);
}

/**
 * A decoded RGB frame (a video's) prepared as {@link prepareImage} prepares the same pixels read from a lossless
 * image file: the loader's resize ({@link resizeLongSide}), then the same letterbox.
 */
export function prepareFrame(entry: ImageEntry, rgb: Uint8Array, shape: [number, number], imgSize: number): PreparedImage {
  const image: ImageU8 = { data: rgb, width: entry.width, height: entry.height, channels: 3 };
  return letterboxLoaded(entry, resizeLongSide(image, imgSize), entry.height, entry.width, shape);
}

function letterboxLoaded(entry: ImageEntry, image: ImageU8, h0: number, w0: number, shape: [number, number]): PreparedImage {
  const lb = letterbox(image, shape, { auto: false, scaleup: false });
  if (lb.image.width !== shape[1] || lb.image.height !== shape[0]) {
    throw new Error(`letterboxed to ${lb.image.width}×${lb.image.height}, expected ${shape[1]}×${shape[0]}`);
  }
  // the original: shapes = (h0, w0), ((h / h0, w / w0), pad) and scale_coords uses gain = ratio_pad[0][0] = h / h0
  const gain = (image.height / h0) * lb.ratio[0];
  return { entry, data: lb.image.data, h0, w0, gain, pad: lb.pad };
}

const LUT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Stacks prepared images into `[B, H, W, 3]` float32 0–1 (the original's `img.float() / 255.0`). */
export function stackImages(images: readonly PreparedImage[], shape: [number, number]): Float32Array {
  const plane = shape[0] * shape[1] * 3;
  const out = new Float32Array(images.length * plane);
  images.forEach((im, b) => {
    const o = b * plane;
    const d = im.data;
    for (let k = 0; k < plane; k++) out[o + k] = LUT[d[k]!]!;
  });
  return out;
}
