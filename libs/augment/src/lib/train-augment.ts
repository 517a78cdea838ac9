import type { LabeledImage, Rng } from '@vigil/core';
import { randomFlipsInPlace } from './flips.js';
import { greyChannel, greyToRgb } from './grey.js';
import { drawHsvGains, hsvGainsInto } from './hsv.js';
import type { AugmentHyp } from './hyp.js';
import { mixup } from './mixup.js';
import { mosaicSample, pickMosaicIndices } from './mosaic.js';
import { randomPerspective } from './random-perspective.js';

/** What one training sample needs, decided before any image is loaded (so the loader knows what to read). */
export interface TrainAugmentPlan {
  /** Build a 4-image mosaic (probability `hyp.mosaic`); else the caller letterboxes the one image. */
  mosaic: boolean;
  /** Mix a second mosaic in (probability `hyp.mixup`, only when `mosaic`). */
  mixup: boolean;
}

/** Draws the plan: mosaic with p = `hyp.mosaic`, then (only for a mosaic) mixup with p = `hyp.mixup`. */
export function planTrainAugment(hyp: Pick<AugmentHyp, 'mosaic' | 'mixup'>, rng: Rng): TrainAugmentPlan {
  const mosaic = rng.chance(hyp.mosaic);
  const mix = mosaic && rng.chance(hyp.mixup);
  return { mosaic, mixup: mix };
}

/**
 * The images a plan needs, loaded by the caller. Mosaic tiles are resized so their long side is `imgSize` (the
 * original's `load_image` with augmentation: bilinear), labels in their pixels; `letterboxed` is the letterboxed
 * image (the caller's `letterbox(..., auto=False, scaleup=True)`), labels in its pixels.
 */
export type TrainAugmentInput =
  | { mosaic: readonly LabeledImage[]; mixup?: readonly LabeledImage[] }
  | { letterboxed: LabeledImage };

/**
 * The original's training augmentation for one sample (`LoadImagesAndLabels.__getitem__` with `augment=True`), in its
 * order: mosaic (+ random_perspective with border −s/2, + mixup) or random_perspective of the letterboxed image →
 * HSV → flips (up-down, then left-right). Pure: inputs are not modified.
 *
 * @returns the augmented sample: mosaic → `imgSize × imgSize`; letterboxed → the letterboxed size. Labels `[k,5]`
 * (cls, x1, y1, x2, y2 pixels), all boxes inside the image with w, h > 2 px. With `options.keepGrey`, a result whose
 * pixels are all grey comes back with **1 channel** (the same values as each channel of the 3-channel result) instead
 * of being expanded — for a consumer that broadcasts grey itself (the loader's batch builder does).
 */
export function applyTrainAugment(input: TrainAugmentInput, imgSize: number, hyp: AugmentHyp, rng: Rng, options: { keepGrey?: boolean } = {}): LabeledImage {
  // Grey-in-RGB inputs (the IR frames) are processed on one channel and expanded at the end: bit-identical to the RGB
  // computation (every step is per channel, and HSV maps a grey pixel through the value LUT only), a third of the work.
  let out: LabeledImage;
  let expand = false;
  if ('mosaic' in input) {
    const rgb = input.mosaic[0]?.image.channels === 3;
    out = mosaicSample(input.mosaic, imgSize, rng, hyp, rgb);
    expand = rgb && out.image.channels === 1;
    if (input.mixup) {
      let other = mosaicSample(input.mixup, imgSize, rng, hyp, out.image.channels === 1);
      if (out.image.channels === 1 && other.image.channels === 3) {
        out = { image: greyToRgb(out.image), labels: out.labels };
        expand = false;
      } else if (other.image.channels === 1 && out.image.channels === 3) {
        other = { image: greyToRgb(other.image), labels: other.labels };
      }
      out = mixup(out, other, rng);
    }
  } else {
    const grey = greyChannel(input.letterboxed.image);
    expand = grey !== null;
    out = randomPerspective(grey ? { image: grey, labels: input.letterboxed.labels } : input.letterboxed, hyp, 0, rng);
  }
  // `out` owns fresh buffers from here: HSV and flips work in place (same results and draws as augmentHsv and
  // randomFlips, without two more image copies).
  if (hyp.hsv_h !== 0 || hyp.hsv_s !== 0 || hyp.hsv_v !== 0) {
    hsvGainsInto(out.image, drawHsvGains(hyp.hsv_h, hyp.hsv_s, hyp.hsv_v, rng), out.image.data);
  }
  out = randomFlipsInPlace(out, hyp, rng);
  return expand && !options.keepGrey ? { image: greyToRgb(out.image), labels: out.labels } : out;
}

/**
 * A sample handed to a {@link TrainSampleAugment}: its position in the data set and a loader of its letterboxed image
 * (only called when the augmentation needs it — a mosaic loads its tiles through the source instead).
 */
export interface PendingSample {
  index: number;
  letterboxed(): Promise<LabeledImage>;
}

/**
 * Where mosaic partners come from (the loader's data set): its size and a loader of one sample (long side = imgSize);
 * with `keepGrey` it may return grey images with 1 channel instead of 3.
 */
export interface SampleSource {
  readonly length: number;
  loadSample(index: number, options?: { keepGrey?: boolean }): LabeledImage | Promise<LabeledImage>;
}

/** Tiles with one channel count: 1-channel tiles are expanded when any tile has 3 (a data set mixing grey and colour). */
function sameChannels(tiles: LabeledImage[]): LabeledImage[] {
  if (tiles.every((t) => t.image.channels === tiles[0]!.image.channels)) return tiles;
  return tiles.map((t) => (t.image.channels === 1 ? { image: greyToRgb(t.image), labels: t.labels } : t));
}

/** The training augmentation as a loader hook: the pending sample, a per-sample generator, the data set. */
export type TrainSampleAugment = (sample: PendingSample, rng: Rng, source: SampleSource) => Promise<LabeledImage>;

/**
 * The original's training augmentation as a loader hook (`__getitem__` with augment=True): with p = hyp.mosaic a
 * mosaic of the sample and 3 partners drawn from the whole data set (mixup inside, from a random start), else
 * random_perspective of the letterboxed sample; then HSV and flips ({@link applyTrainAugment}). Mosaic tiles are
 * asked for with `keepGrey` (grey files as 1 channel) and grey results keep one channel (the batch builder broadcasts
 * them) — the same pixels as the all-RGB computation. Structural types only, so that the dataset lib's
 * `YoloDataset` and its `AugmentFn` fit without this lib importing it.
 */
export function trainSampleAugment(hyp: AugmentHyp, imgSize: number): TrainSampleAugment {
  const options = { keepGrey: true };
  return async (sample, rng, source) => {
    const plan = planTrainAugment(hyp, rng);
    if (!plan.mosaic) return applyTrainAugment({ letterboxed: await sample.letterboxed() }, imgSize, hyp, rng, options);
    const n = source.length;
    // Grey files load as 1 channel: the mosaic is then a plain copy instead of a checked RGB → grey reduction.
    const load = (i: number) => source.loadSample(i, options);
    const tiles = sameChannels(await Promise.all(pickMosaicIndices(sample.index, n, rng).map(load)));
    const mix = plan.mixup ? sameChannels(await Promise.all(pickMosaicIndices(rng.int(n), n, rng).map(load))) : undefined;
    return applyTrainAugment({ mosaic: tiles, mixup: mix }, imgSize, hyp, rng, options);
  };
}
