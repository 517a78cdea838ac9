import pLimit from 'p-limit';
import { Rng } from '@vigil/core';
import type { LabeledImage } from '@vigil/core';
import { collateBatch } from './collate.js';
import type { BatchData } from './collate.js';
import { listImageFiles } from './discover.js';
import { letterboxGeometry, rectBatchShapes } from '@vigil/core';
import { letterboxSample } from './letterbox.js';
import { loadImage } from './load-image.js';
import type { ProgressCallback } from './progress.js';
import type { RectBatches } from '@vigil/core';
import { verifyLabels } from './verify-labels.js';
import type { VerifyStats } from './verify-labels.js';

/** Options of {@link YoloDataset.open}. */
export interface YoloDatasetOptions {
  /** Long side after loading (the original's `img_size`). */
  imgSize: number;
  /** Training mode: bilinear resizes, letterbox may enlarge (the original's `augment=True`). */
  augment?: boolean;
  /** Read/write the verification cache (default true). */
  cache?: boolean;
  /** Number of classes: label files with a class id ≥ nc are reported and their images excluded (default: no check). */
  nc?: number;
  /** Image files to leave out (e.g. `checkDataset`'s `skippedFiles`: images that do not decode). */
  exclude?: Iterable<string>;
  concurrency?: number;
  onProgress?: ProgressCallback;
}

/** How a letterboxed image maps back to its original (for scale_coords): original size, scale, padding. */
export interface SampleShapes {
  h0: number;
  w0: number;
  /** `[h/h0, w/w0]` of the load resize, then the letterbox ratio and padding `[dw, dh]`. */
  loadRatio: [number, number];
  ratio: [number, number];
  pad: [number, number];
}

/** A sample with where it came from. */
export interface LoadedSample extends LabeledImage {
  index: number;
  file: string;
  shapes: SampleShapes;
}

/** The sample an {@link AugmentFn} works on: its position, its file, and its letterboxed image on request. */
export interface AugmentSample {
  index: number;
  file: string;
  /** The sample letterboxed to the batch shape (labels `[n,5]` cls + xyxy pixels); loaded once, on the first call. */
  letterboxed(): Promise<LoadedSample>;
}

/**
 * A caller-supplied augmentation (the augment lib's functions composed by the app): receives the sample (its
 * letterboxed image loaded only if asked for — a mosaic does not need it), a per-sample seeded generator and the
 * dataset (to load mosaic partners with `loadSample` / `randomIndex`); returns an image of the batch size with its
 * labels (1 or 3 channels: the batch builder broadcasts grey). Pure data in, data out.
 */
export type AugmentFn = (sample: AugmentSample, rng: Rng, dataset: YoloDataset) => LabeledImage | Promise<LabeledImage>;

/** One batch of {@link YoloDataset.batches}. */
export interface Batch extends BatchData {
  /** Dataset positions of the batch's images. */
  indices: number[];
  files: string[];
  /** Per image, how to map predictions back (undefined entries when an augmentation replaced the sample). */
  shapes: (SampleShapes | undefined)[];
}

/** Options of {@link YoloDataset.batches}. */
export interface BatchOptions {
  batchSize: number;
  /** Dataset positions in the order to visit (e.g. {@link epochSampleIndices}); default: 0…n−1. */
  indices?: readonly number[];
  /** Rectangular batches (val/test): overrides `indices` with the aspect-ratio order and per-batch shapes. */
  rect?: { stride: number; pad?: number };
  /** Square letterbox size for non-rect batches (default: the dataset's imgSize). */
  shape?: number;
  augment?: AugmentFn;
  /** Seed for the per-sample generators (sample i of an epoch uses a generator derived from (seed, epoch, i)). */
  seed?: number;
  epoch?: number;
  /** Batches prepared ahead of the consumer (default 2). */
  prefetch?: number;
  /** Samples loaded at once (default 4). */
  concurrency?: number;
  /**
   * Recycle the `images` arrays: a batch's array is reused for a later batch once the consumer asks for the next one,
   * so copy what must outlive that. Saves a fresh `[B,H,W,3]` float32 array per batch (page faults and garbage
   * collection: ~2 ms per 640² image). Default false.
   */
  reuseImages?: boolean;
}

/**
 * A YOLO-layout dataset (`images/…` + `labels/…` `.txt`), the original's LoadImagesAndLabels: sorted recursive image
 * discovery, verified labels (cached), image loading, letterboxing, rectangular shapes and batches.
 */
export class YoloDataset {
  private constructor(
    readonly files: string[],
    /** Per image `[n,5]` float32: class, cx, cy, w, h normalised. */
    readonly labels: Float32Array[],
    /** Per image `[width, height]` of the original file. */
    readonly shapes: [number, number][],
    /** Per image: the file holds one 8-bit grey channel (see {@link YoloDataset.loadSample}'s `keepGrey`). */
    readonly grey: boolean[],
    readonly stats: VerifyStats,
    readonly imgSize: number,
    readonly augment: boolean,
    readonly cachePath: string,
    readonly fromCache: boolean,
  ) {}

  /** Discovers, verifies (or reads the cache) and returns the dataset. `source`: images folder(s) or .txt list(s). */
  static async open(source: string | readonly string[], options: YoloDatasetOptions): Promise<YoloDataset> {
    let files = await listImageFiles(source);
    if (options.exclude) {
      const ex = new Set(options.exclude);
      files = files.filter((f) => !ex.has(f));
    }
    const v = await verifyLabels(files, { concurrency: options.concurrency, onProgress: options.onProgress, cache: options.cache, nc: options.nc });
    return new YoloDataset(v.files, v.labels, v.shapes, v.grey, v.stats, options.imgSize, options.augment ?? false, v.cachePath, v.fromCache);
  }

  get length(): number {
    return this.files.length;
  }

  /** A uniformly random position (for mosaic partners: drawn from the whole dataset). */
  randomIndex(rng: Rng): number {
    return rng.int(this.files.length);
  }

  /**
   * Image `index` loaded (long side = imgSize) with its labels as `[n,5]` cls + xyxy pixels of the loaded image —
   * what the original's load_mosaic works on. `keepGrey`: a grey file comes back with 1 channel (the same values as
   * each channel of the RGB load); the augmentations and the batch builder take either.
   */
  async loadSample(index: number, options: { keepGrey?: boolean } = {}): Promise<LoadedSample> {
    const file = this.files[index]!;
    const { image, h0, w0 } = await loadImage(file, this.imgSize, this.augment, this.shapes[index], undefined, options.keepGrey === true && this.grey[index] === true);
    const labels = this.pixelLabels(index, image.width, image.height);
    const w = image.width;
    const h = image.height;
    return { image, labels, index, file, shapes: { h0, w0, loadRatio: [h / h0, w / w0], ratio: [1, 1], pad: [0, 0] } };
  }

  /**
   * Image `index` loaded and letterboxed to `shape` (`auto=false`, scaleup only when augmenting), as `__getitem__`.
   * When the letterbox only pads (the usual case: the load already made the long side imgSize), libvips adds the border
   * while decoding; otherwise the pure {@link letterboxSample} runs on the loaded image. Same pixels either way.
   */
  async loadLetterboxed(index: number, shape: number | [number, number] = this.imgSize): Promise<LoadedSample> {
    const [w0, h0] = this.shapes[index]!;
    const r = this.imgSize / Math.max(h0, w0);
    const w = r !== 1 ? Math.trunc(w0 * r) : w0;
    const h = r !== 1 ? Math.trunc(h0 * r) : h0;
    const g = letterboxGeometry(h, w, shape, { auto: false, scaleup: this.augment });
    if (g.newUnpadW === w && g.newUnpadH === h) {
      const file = this.files[index]!;
      const { image } = await loadImage(file, this.imgSize, this.augment, this.shapes[index], g);
      const labels = this.pixelLabels(index, g.ratio[0] * w, g.ratio[1] * h);
      const [dw, dh] = [g.dw, g.dh];
      for (let k = 0; k < labels.length; k += 5) {
        labels[k + 1]! += dw;
        labels[k + 2]! += dh;
        labels[k + 3]! += dw;
        labels[k + 4]! += dh;
      }
      return { image, labels, index, file, shapes: { h0, w0, loadRatio: [h / h0, w / w0], ratio: g.ratio, pad: [dw, dh] } };
    }
    const s = await this.loadSample(index);
    const lb = letterboxSample(s, shape, { auto: false, scaleup: this.augment });
    return { image: lb.image, labels: lb.labels, index, file: s.file, shapes: { ...s.shapes, ratio: lb.ratio, pad: lb.pad } };
  }

  /** Labels of image `index` as `[n,5]` cls + xyxy pixels of a `w × h` image (the original's xywhn2xyxy). */
  private pixelLabels(index: number, w: number, h: number): Float32Array {
    const src = this.labels[index]!;
    const labels = new Float32Array(src.length);
    for (let k = 0; k < src.length; k += 5) {
      labels[k] = src[k]!;
      labels[k + 1] = w * (src[k + 1]! - src[k + 3]! / 2);
      labels[k + 2] = h * (src[k + 2]! - src[k + 4]! / 2);
      labels[k + 3] = w * (src[k + 1]! + src[k + 3]! / 2);
      labels[k + 4] = h * (src[k + 2]! + src[k + 4]! / 2);
    }
    return labels;
  }

  /** Rect order and batch shapes for this dataset (the original's `rect=True`). */
  rectBatches(batchSize: number, stride: number, pad = 0.5): RectBatches {
    return rectBatchShapes(this.shapes, batchSize, this.imgSize, stride, pad);
  }

  /**
   * Batches in order, loading ahead: up to `prefetch` batches are being prepared while the consumer works on the
   * current one. Each sample gets its own generator derived from (seed, epoch, position), so results do not depend on
   * timing or concurrency.
   */
  async *batches(options: BatchOptions): AsyncGenerator<Batch> {
    const bs = options.batchSize;
    if (!Number.isInteger(bs) || bs < 1) throw new RangeError(`batch size must be a positive integer, got ${bs}`);
    let order: readonly number[];
    let shapeOf: (b: number) => number | [number, number];
    if (options.rect) {
      const r = this.rectBatches(bs, options.rect.stride, options.rect.pad ?? 0.5);
      order = r.order;
      shapeOf = (b) => r.batchShapes[b]!;
    } else {
      order = options.indices ?? Array.from({ length: this.length }, (_, i) => i);
      const s = options.shape ?? this.imgSize;
      shapeOf = () => s;
    }
    const nb = Math.ceil(order.length / bs);
    const limit = pLimit(options.concurrency ?? 4);
    const seed = options.seed ?? 0;
    const epoch = options.epoch ?? 0;
    // Recycled image arrays by length (reuseImages): filled when the consumer has moved past a batch.
    const free = new Map<number, Float32Array[]>();
    const build = async (b: number): Promise<Batch> => {
      const idx = order.slice(b * bs, (b + 1) * bs);
      const shape = shapeOf(b);
      const samples = await Promise.all(
        idx.map((index, k) =>
          limit(async () => {
            if (!options.augment) {
              const s = await this.loadLetterboxed(index, shape);
              return { sample: s as LabeledImage, shapes: s.shapes as SampleShapes | undefined };
            }
            let letterboxed: Promise<LoadedSample> | undefined;
            const pending: AugmentSample = { index, file: this.files[index]!, letterboxed: () => (letterboxed ??= this.loadLetterboxed(index, shape)) };
            const pos = b * bs + k;
            const rng = new Rng((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(pos + 1, 0xc2b2ae35)) >>> 0);
            return { sample: await options.augment(pending, rng, this), shapes: undefined };
          }),
        ),
      );
      const first = samples[0]!.sample.image;
      const length = samples.length * first.width * first.height * 3;
      const data = collateBatch(samples.map((x) => x.sample), options.reuseImages ? free.get(length)?.pop() : undefined);
      return { ...data, indices: [...idx], files: idx.map((i) => this.files[i]!), shapes: samples.map((x) => x.shapes) };
    };
    const ahead = Math.max(0, options.prefetch ?? 2);
    const pending: Promise<Batch>[] = [];
    let next = 0;
    const fill = () => {
      while (next < nb && pending.length < ahead + 1) {
        const p = build(next++);
        p.catch(() => undefined); // surfaced when awaited below
        pending.push(p);
      }
    };
    fill();
    while (pending.length > 0) {
      const batch = await pending.shift()!;
      fill();
      yield batch;
      if (options.reuseImages) {
        const list = free.get(batch.images.length) ?? [];
        if (list.length <= ahead + 1) list.push(batch.images);
        free.set(batch.images.length, list);
      }
    }
  }
}
