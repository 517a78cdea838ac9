import { describe, expect, it } from 'vitest';
import { Rng, createImage, type LabeledImage } from '@vigil/core';
import { HYP_FINETUNE_SIMPLE, HYP_SCRATCH_P6 } from '@vigil/core';
import { checkAugmentHyp, type AugmentHyp } from './hyp.js';
import { labelCount } from './labels.js';
import { greyToRgb } from './grey.js';
import { pickMosaicIndices } from './mosaic.js';
import { applyTrainAugment, planTrainAugment, trainSampleAugment, type SampleSource } from './train-augment.js';

/** A random tile: long side = s, random boxes (some degenerate or on the edge) with unique class ids from `firstId`. */
function randomTile(rng: Rng, s: number, firstId: number, channels: 1 | 3 = 3): LabeledImage {
  const long = s;
  const short = Math.max(1, Math.round(s * rng.uniform(0.3, 1)));
  const [w, h] = rng.chance(0.5) ? [long, short] : [short, long];
  const image = createImage(w, h, channels);
  for (let i = 0; i < image.data.length; i++) image.data[i] = rng.int(256);
  const n = rng.int(5);
  const labels = new Float32Array(n * 5);
  for (let i = 0; i < n; i++) {
    const x1 = rng.uniform(0, w);
    const y1 = rng.uniform(0, h);
    const edge = rng.chance(0.2);
    labels.set([firstId + i, x1, y1, edge ? w : Math.min(w, x1 + rng.uniform(0, w / 2)), edge ? h : Math.min(h, y1 + rng.uniform(0, h / 2))], i * 5);
  }
  return { image, labels };
}

function randomHyp(rng: Rng): AugmentHyp {
  return {
    hsv_h: rng.uniform(0, 0.1), hsv_s: rng.uniform(0, 0.9), hsv_v: rng.uniform(0, 0.9),
    degrees: rng.uniform(0, 45), translate: rng.uniform(0, 0.5), scale: rng.uniform(0, 0.9), shear: rng.uniform(0, 10),
    perspective: rng.chance(0.3) ? rng.uniform(0, 0.001) : 0,
    flipud: rng.uniform(0, 1), fliplr: rng.uniform(0, 1), mosaic: rng.uniform(0, 1), mixup: rng.uniform(0, 1),
  };
}

function expectValid(out: LabeledImage, inputIds: Set<number>): void {
  const { width: W, height: H } = out.image;
  expect(out.image.data.length).toBe(W * H * out.image.channels);
  const n = labelCount(out.labels);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const [c, x1, y1, x2, y2] = out.labels.subarray(i * 5, i * 5 + 5) as unknown as number[];
    expect(inputIds.has(c!)).toBe(true); // class (unique id) preserved, never invented
    expect(seen.has(c!)).toBe(false); // never duplicated
    seen.add(c!);
    expect(x1!).toBeGreaterThanOrEqual(0);
    expect(y1!).toBeGreaterThanOrEqual(0);
    expect(x2!).toBeLessThanOrEqual(W);
    expect(y2!).toBeLessThanOrEqual(H);
    // box_candidates keeps w, h > 2 px (in float64, before the float32 store the original also does).
    expect(x2! - x1!).toBeGreaterThanOrEqual(2);
    expect(y2! - y1!).toBeGreaterThanOrEqual(2);
  }
}

describe('applyTrainAugment', () => {
  it('property: boxes stay valid and classes are preserved over 300 seeds (mosaic, mixup, letterbox; all geometric ops)', () => {
    const s = 48;
    let kept = 0;
    let mosaics = 0;
    for (let seed = 0; seed < 300; seed++) {
      const rng = new Rng(seed);
      const hyp = randomHyp(rng);
      const plan = planTrainAugment(hyp, rng);
      const channels = rng.chance(0.2) ? 1 : 3;
      const ids = new Set<number>();
      const tiles = (first: number) => Array.from({ length: 4 }, (_, k) => randomTile(rng, s, first + k * 10, channels));
      let out: LabeledImage;
      if (plan.mosaic) {
        const a = tiles(0);
        const b = plan.mixup ? tiles(100) : undefined;
        for (const t of [...a, ...(b ?? [])]) for (let i = 0; i < t.labels.length; i += 5) ids.add(t.labels[i]!);
        out = applyTrainAugment(b ? { mosaic: a, mixup: b } : { mosaic: a }, s, hyp, rng);
        expect([out.image.width, out.image.height]).toEqual([s, s]);
      } else {
        const t = randomTile(rng, s, 0, channels);
        for (let i = 0; i < t.labels.length; i += 5) ids.add(t.labels[i]!);
        out = applyTrainAugment({ letterboxed: t }, s, hyp, rng);
        expect([out.image.width, out.image.height]).toEqual([t.image.width, t.image.height]);
      }
      expect(out.image.channels).toBe(channels);
      expectValid(out, ids);
      kept += labelCount(out.labels);
      if (plan.mosaic) mosaics++;
    }
    // Not vacuous: many boxes survive and both paths run.
    expect(kept).toBeGreaterThan(300);
    expect(mosaics).toBeGreaterThan(50);
    expect(mosaics).toBeLessThan(250);
  });

  it('is deterministic by seed', () => {
    const run = (seed: number) => {
      const rng = new Rng(seed);
      const tiles = Array.from({ length: 4 }, (_, k) => randomTile(new Rng(100 + k), 40, k * 10));
      return applyTrainAugment({ mosaic: tiles }, 40, HYP_SCRATCH_P6, rng);
    };
    expect(run(1).image.data).toEqual(run(1).image.data);
    expect(run(1).labels).toEqual(run(1).labels);
    expect(run(1).image.data).not.toEqual(run(2).image.data);
  });

  it('keeps a single box that stays inside, and returns empty labels for an empty input', () => {
    const image = createImage(64, 48, 3, 90);
    const one = applyTrainAugment({ letterboxed: { image, labels: Float32Array.of(3, 20, 14, 44, 34) } }, 64, HYP_FINETUNE_SIMPLE, new Rng(5));
    expect(labelCount(one.labels)).toBe(1);
    expect(one.labels[0]).toBe(3);
    expectValid(one, new Set([3]));
    // translate 0.1 only: the box keeps its size (to float precision) — up to a flip.
    expect(one.labels[3]! - one.labels[1]!).toBeCloseTo(24, 4);
    const empty = applyTrainAugment({ letterboxed: { image, labels: new Float32Array(0) } }, 64, HYP_SCRATCH_P6, new Rng(5));
    expect(empty.labels.length).toBe(0);
  });

  it('does not modify its inputs', () => {
    const tiles = Array.from({ length: 4 }, (_, k) => randomTile(new Rng(k), 32, k * 10));
    const copies = tiles.map((t) => ({ data: t.image.data.slice(), labels: t.labels.slice() }));
    applyTrainAugment({ mosaic: tiles, mixup: tiles }, 32, { ...HYP_SCRATCH_P6, degrees: 10, hsv_h: 0.5, hsv_s: 0.5, flipud: 0.5 }, new Rng(9));
    tiles.forEach((t, k) => {
      expect(t.image.data).toEqual(copies[k]!.data);
      expect(t.labels).toEqual(copies[k]!.labels);
    });
  });
});

describe('planTrainAugment', () => {
  it('mosaic with p = hyp.mosaic; mixup only inside a mosaic', () => {
    const rng = new Rng(0);
    expect(planTrainAugment({ mosaic: 0, mixup: 1 }, rng)).toEqual({ mosaic: false, mixup: false });
    expect(planTrainAugment({ mosaic: 1, mixup: 0 }, rng)).toEqual({ mosaic: true, mixup: false });
    expect(planTrainAugment({ mosaic: 1, mixup: 1 }, rng)).toEqual({ mosaic: true, mixup: true });
  });
});

describe('hyp constants', () => {
  it('carry the seed files’ augmentation values (SPEC §4)', () => {
    expect(checkAugmentHyp(HYP_SCRATCH_P6)).toMatchObject({ hsv_h: 0, hsv_s: 0, hsv_v: 0.4, translate: 0.1, scale: 0.9, fliplr: 0.5, mosaic: 1, mixup: 0, degrees: 0, shear: 0, perspective: 0, flipud: 0 });
    expect(checkAugmentHyp(HYP_FINETUNE_SIMPLE)).toMatchObject({ hsv_v: 0, translate: 0.1, scale: 0, fliplr: 0.5, mosaic: 0 });
    expect(Object.keys(HYP_SCRATCH_P6)).toHaveLength(27);
    expect(Object.keys(HYP_FINETUNE_SIMPLE)).toHaveLength(27);
  });

  it('checkAugmentHyp names the bad key', () => {
    expect(() => checkAugmentHyp({ ...HYP_SCRATCH_P6, fliplr: 1.5 })).toThrow(/'fliplr' is a probability/);
    const { hsv_v: _drop, ...rest } = HYP_SCRATCH_P6;
    expect(() => checkAugmentHyp(rest)).toThrow(/'hsv_v' must be a finite number, got nothing/);
    expect(() => checkAugmentHyp({ ...HYP_SCRATCH_P6, scale: -1 })).toThrow(/'scale' must be ≥ 0/);
  });
});

describe('grey-in-RGB shortcut', () => {
  // colourTile: which of the 8 tiles (4 mosaic + 4 mixup) keeps its colour; -1 = all grey.
  for (const colourTile of [-1, 3, 6]) {
    it(`gives exactly what the 3-channel functions give (mosaic + mixup + HSV + flips; colour tile ${colourTile})`, async () => {
      const { mosaic4 } = await import('./mosaic.js');
      const { mixup } = await import('./mixup.js');
      const { augmentHsv } = await import('./hsv.js');
      const { randomFlips } = await import('./flips.js');
      const hyp = { ...HYP_SCRATCH_P6, degrees: 5, shear: 2, flipud: 0.5, mixup: 1 };
      for (let seed = 0; seed < 8; seed++) {
        const tiles = Array.from({ length: 8 }, (_, k) => {
          const t = randomTile(new Rng(seed * 10 + k), 40, k * 10);
          if (k !== colourTile) for (let i = 0; i < t.image.data.length; i += 3) t.image.data.fill(t.image.data[i]!, i, i + 3);
          return t;
        });
        const fast = applyTrainAugment({ mosaic: tiles.slice(0, 4), mixup: tiles.slice(4) }, 40, hyp, new Rng(seed));
        const rng = new Rng(seed);
        let ref = mosaic4(tiles.slice(0, 4), 40, rng, hyp);
        ref = mixup(ref, mosaic4(tiles.slice(4), 40, rng, hyp), rng);
        ref = { image: augmentHsv(ref.image, hyp.hsv_h, hyp.hsv_s, hyp.hsv_v, rng), labels: ref.labels };
        ref = randomFlips(ref, hyp, rng);
        expect(fast.image.channels).toBe(3);
        expect(fast.image.data).toEqual(ref.image.data);
        expect(fast.labels).toEqual(ref.labels);
      }
    });
  }

  it('letterboxed grey-in-RGB input gives what the 3-channel functions give', async () => {
    const { randomPerspective } = await import('./random-perspective.js');
    const { augmentHsv } = await import('./hsv.js');
    const { randomFlips } = await import('./flips.js');
    const hyp = { ...HYP_SCRATCH_P6, degrees: 7, scale: 0.5, flipud: 0.5 };
    for (let seed = 0; seed < 8; seed++) {
      const t = randomTile(new Rng(seed), 48, 0);
      for (let i = 0; i < t.image.data.length; i += 3) t.image.data.fill(t.image.data[i]!, i, i + 3);
      const fast = applyTrainAugment({ letterboxed: t }, 48, hyp, new Rng(seed));
      const rng = new Rng(seed);
      let ref = randomPerspective(t, hyp, 0, rng);
      ref = { image: augmentHsv(ref.image, hyp.hsv_h, hyp.hsv_s, hyp.hsv_v, rng), labels: ref.labels };
      ref = randomFlips(ref, hyp, rng);
      expect(fast.image).toEqual(ref.image);
      expect(fast.labels).toEqual(ref.labels);
    }
  });

  it('mosaicSample returns one channel for grey RGB tiles and RGB otherwise', async () => {
    const { mosaicSample } = await import('./mosaic.js');
    const grey = Array.from({ length: 4 }, () => ({ image: createImage(16, 12, 3, 77), labels: new Float32Array(0) }));
    expect(mosaicSample(grey, 16, new Rng(1), HYP_SCRATCH_P6, true).image.channels).toBe(1);
    expect(mosaicSample(grey, 16, new Rng(1), HYP_SCRATCH_P6, false).image.channels).toBe(3);
  });
});

describe('trainSampleAugment (the loader hook)', () => {
  const greyTiles = (seed: number) =>
    Array.from({ length: 6 }, (_, k) => {
      const t = randomTile(new Rng(seed * 10 + k), 40, k * 10);
      for (let i = 0; i < t.image.data.length; i += 3) t.image.data.fill(t.image.data[i]!, i, i + 3);
      return t;
    });

  it('mosaic: loads the sample and 3 partners through the source, never the letterboxed image; grey stays 1 channel', async () => {
    for (let seed = 0; seed < 4; seed++) {
      const tiles = greyTiles(seed);
      const loaded: number[] = [];
      const source: SampleSource = { length: tiles.length, loadSample: (i) => (loaded.push(i), tiles[i]!) };
      const hook = trainSampleAugment({ ...HYP_SCRATCH_P6, mixup: 0 }, 40);
      const out = await hook({ index: 2, letterboxed: () => Promise.reject(new Error('not needed')) }, new Rng(seed), source);
      expect(loaded.length).toBe(4);
      expect(loaded[0]).toBe(2);
      // the same as applyTrainAugment with the same draws (plan first), expanded to RGB by the consumer
      const rng = new Rng(seed);
      planTrainAugment(HYP_SCRATCH_P6, rng);
      expect(pickMosaicIndices(2, tiles.length, rng)).toEqual(loaded);
      const ref = applyTrainAugment({ mosaic: loaded.map((i) => tiles[i]!) }, 40, { ...HYP_SCRATCH_P6, mixup: 0 }, rng);
      expect([out.image.channels, out.image.width, out.image.height, ref.image.width, ref.image.height, ref.image.channels]).toEqual([1, 40, 40, 40, 40, 3]);
      expect(greyToRgb(out.image).data).toEqual(ref.image.data);
      expect(out.labels).toEqual(ref.labels);
    }
  });

  it('no mosaic: augments the letterboxed image and loads nothing else', async () => {
    const tiles = greyTiles(7);
    const source: SampleSource = { length: 6, loadSample: () => { throw new Error('not expected'); } };
    let calls = 0;
    const letterboxed = async () => (calls++, tiles[1]!);
    const out = await trainSampleAugment({ ...HYP_FINETUNE_SIMPLE, mosaic: 0 }, 40)({ index: 1, letterboxed }, new Rng(3), source);
    expect(calls).toBe(1);
    expect([out.image.width, out.image.height]).toEqual([tiles[1]!.image.width, tiles[1]!.image.height]);
    for (let k = 0; k < labelCount(out.labels); k++) expect(out.labels[5 * k + 3]!).toBeGreaterThan(out.labels[5 * k + 1]!);
  });
  it('takes 1-channel grey tiles (keepGrey) mixed with colour ones, with the all-RGB result', async () => {
    const hyp = { ...HYP_SCRATCH_P6, mixup: 1 };
    for (let seed = 0; seed < 4; seed++) {
      const grey = greyTiles(seed);
      const colour = randomTile(new Rng(seed + 100), 40, 90);
      // sources: grey files as 1 channel (what the loader gives with keepGrey) + one colour file; the same as RGB
      const oneCh = grey.map((t) => ({ image: { ...t.image, data: t.image.data.filter((_, k) => k % 3 === 0), channels: 1 as const }, labels: t.labels }));
      const rgbAll = [...grey, colour];
      const mixed = [...oneCh, colour];
      const asked: (boolean | undefined)[] = [];
      const src = (tiles: LabeledImage[]): SampleSource => ({ length: tiles.length, loadSample: (i, o) => (asked.push(o?.keepGrey), tiles[i]!) });
      const pending = { index: seed, letterboxed: () => Promise.reject(new Error('not needed')) };
      const a = await trainSampleAugment(hyp, 40)(pending, new Rng(seed), src(mixed));
      const b = await trainSampleAugment(hyp, 40)(pending, new Rng(seed), src(rgbAll));
      expect(asked.every((k) => k === true)).toBe(true);
      const rgb = (x: LabeledImage) => (x.image.channels === 1 ? greyToRgb(x.image).data : x.image.data);
      expect(rgb(a)).toEqual(rgb(b));
      expect(a.labels).toEqual(b.labels);
    }
  });
});
