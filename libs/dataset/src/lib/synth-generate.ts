import { mkdir, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { Rng, VigilUserError, checkRange } from '@vigil/core';
import { buildSynthScene, SYNTH_PRIORS } from './synth-scene.js';
import type { SynthObject, SynthPriors, SynthScene } from './synth-scene.js';
import type { ProgressCallback } from './progress.js';

/** Options of {@link generateSyntheticData}. */
export interface SynthOptions {
  /** Train images (default 400). */
  train?: number;
  /** Test images (default 100). */
  test?: number;
  seed?: number;
  width?: number;
  height?: number;
  /** Write `task03_test/labels.json` so the test split can be scored (default true). */
  testLabels?: boolean;
  /** Concurrent renders (default: available cores). */
  concurrency?: number;
  priors?: Partial<SynthPriors>;
  onProgress?: ProgressCallback;
}

/** The parameters that define a synthetic set (stored in the marker file). */
export interface SynthConfig {
  version: number;
  train: number;
  test: number;
  seed: number;
  width: number;
  height: number;
  testLabels: boolean;
  priors: SynthPriors;
}

/** Marker written last into a generated directory; its presence means the set is complete. */
export const SYNTH_MARKER = 'vigil-synth.json';
/** Bumped whenever the renderer changes what a seed produces. */
export const SYNTH_VERSION = 1;

/** Result of a generation: the config and per-split object counts per class. */
export interface SynthSummary {
  dir: string;
  config: SynthConfig;
  generated: boolean;
  counts: { train: Record<string, number>; test: Record<string, number> };
}

function resolveConfig(o: SynthOptions): SynthConfig {
  const cfg: SynthConfig = {
    version: SYNTH_VERSION,
    train: o.train ?? 400,
    test: o.test ?? 100,
    seed: o.seed ?? 0,
    width: o.width ?? 640,
    height: o.height ?? 480,
    testLabels: o.testLabels ?? true,
    priors: { ...SYNTH_PRIORS, ...o.priors },
  };
  checkRange('train image count', cfg.train, 1, 10_000_000);
  checkRange('test image count', cfg.test, 0, 10_000_000);
  checkRange('image width', cfg.width, 64, 8192);
  checkRange('image height', cfg.height, 64, 8192);
  if (!Number.isInteger(cfg.train) || !Number.isInteger(cfg.test)) throw new VigilUserError('image counts must be integers');
  if (!Number.isInteger(cfg.seed)) throw new VigilUserError(`seed must be an integer, got ${cfg.seed}`);
  return cfg;
}

/** Independent per-image generator: the same (seed, split, index) always renders the same frame. */
function imageRng(seed: number, split: number, index: number): Rng {
  return new Rng(((seed * 0x9e3779b1) ^ Math.imul(split + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

/** Rasterises a scene: SVG → blur → grayscale → contrast/brightness/noise; `data` is one byte a pixel, row-major. */
export async function rasterizeSynthScene(scene: SynthScene, rng: Rng): Promise<{ data: Buffer; width: number; height: number }> {
  let pipeline = sharp(Buffer.from(scene.svg), { density: 72 }).flatten({ background: '#000000' });
  if (scene.blur >= 0.3) pipeline = pipeline.blur(scene.blur);
  const { data, info } = await pipeline.greyscale().raw().toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const n = info.width * info.height;
  const out = Buffer.allocUnsafe(n);
  const { contrast, brightness, noise } = scene;
  const tone = new Float64Array(256);
  for (let v = 0; v < 256; v++) tone[v] = (v - 128) * contrast + 128 + brightness + 0.5;
  // Approximately normal noise, one 32-bit draw per pixel: the sum of two 16-bit uniforms is triangular on [−1, 1)
  // (variance 1/6), scaled by √6 to unit variance, then by `noise`.
  const k = (2.449489742783178 * noise) / 65536;
  for (let i = 0; i < n; i++) {
    const r = rng.nextUint32();
    const v = tone[data[i * ch]!]! + ((r & 0xffff) + (r >>> 16) - 65536) * k;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { data: out, width: info.width, height: info.height };
}

/** Rasterises a scene ({@link rasterizeSynthScene}) and encodes it as grayscale JPEG at the scene's quality. */
export async function renderSynthScene(scene: SynthScene, rng: Rng): Promise<Buffer> {
  const { data, width, height } = await rasterizeSynthScene(scene, rng);
  return sharp(data, { raw: { width, height, channels: 1 } }).toColourspace('b-w').jpeg({ quality: scene.quality }).toBuffer();
}

function emptyCounts(): Record<string, number> {
  return { eye_opened: 0, eye_closed: 0, mouth_opened: 0, mouth_closed: 0, face: 0, phone: 0, cigar: 0 };
}

async function generateSplit(
  dir: string,
  split: 'train' | 'test',
  count: number,
  cfg: SynthConfig,
  writeLabels: boolean,
  concurrency: number,
  onProgress: ProgressCallback | undefined,
  counts: Record<string, number>,
): Promise<void> {
  const root = join(dir, `task03_${split}`);
  await mkdir(join(root, 'images'), { recursive: true });
  const limit = pLimit(concurrency);
  const annotations: { file_name: string; objects: SynthObject[] }[] = new Array(count);
  let done = 0;
  const splitId = split === 'train' ? 0 : 1;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(async () => {
        const rng = imageRng(cfg.seed, splitId, i);
        const scene = buildSynthScene(rng, cfg.width, cfg.height, cfg.priors);
        const jpeg = await renderSynthScene(scene, rng);
        const fileName = `synth_${split}_${String(i).padStart(6, '0')}.jpg`;
        await writeFile(join(root, 'images', fileName), jpeg);
        annotations[i] = { file_name: fileName, objects: scene.objects };
        done++;
        onProgress?.({ phase: `synth ${split}`, done, total: count });
      }),
    ),
  );
  for (const a of annotations) for (const o of a.objects) counts[o.class] = (counts[o.class] ?? 0) + 1;
  if (writeLabels) await writeFile(join(root, 'labels.json'), JSON.stringify({ annotations }));
}

/**
 * Renders the synthetic competition-layout set into `dir`: `task03_train/{labels.json,images/}` and
 * `task03_test/{images/,labels.json}`. Deterministic from `seed` (independent of concurrency). A previous synthetic
 * set in `dir` is replaced; a folder holding other `task03_*` data (no marker) is refused. An interrupted run leaves no
 * marker, so the next call regenerates. Writes the marker {@link SYNTH_MARKER} last.
 */
export async function generateSyntheticData(dir: string, options: SynthOptions = {}): Promise<SynthSummary> {
  const cfg = resolveConfig(options);
  await refuseForeignData(dir);
  const concurrency = options.concurrency ?? Math.max(1, availableParallelism());
  await mkdir(dir, { recursive: true });
  // The marker says "ours, incomplete" until the end, so an interrupted run is regenerated, never taken for user data.
  await writeFile(join(dir, SYNTH_MARKER), JSON.stringify({ incomplete: true, ...cfg }) + '\n');
  await rm(join(dir, 'task03_train'), { recursive: true, force: true });
  await rm(join(dir, 'task03_test'), { recursive: true, force: true });
  const counts = { train: emptyCounts(), test: emptyCounts() };
  await generateSplit(dir, 'train', cfg.train, cfg, true, concurrency, options.onProgress, counts.train);
  await generateSplit(dir, 'test', cfg.test, cfg, cfg.testLabels, concurrency, options.onProgress, counts.test);
  await writeFile(join(dir, SYNTH_MARKER), JSON.stringify({ ...cfg, counts }, null, 2) + '\n');
  return { dir, config: cfg, generated: true, counts };
}

/** Throws when `dir` holds competition-layout data that we did not generate (never overwrite a user's data). */
async function refuseForeignData(dir: string): Promise<void> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory()) throw new VigilUserError(`${dir} is not a directory`, dir);
  const entries = await readdir(dir);
  if (entries.includes(SYNTH_MARKER)) return;
  const foreign = entries.filter((e) => e === 'task03_train' || e === 'task03_test');
  if (foreign.length > 0) {
    throw new VigilUserError(
      `${dir} already holds ${foreign.join(' and ')} without a synthetic-data marker (${SYNTH_MARKER}); ` +
        'refusing to overwrite it: pass that folder as the data root, or choose an empty folder for the synthetic set',
      dir,
    );
  }
}

/**
 * Generates the synthetic set into `dir` on first use; later calls with the same parameters return at once
 * (the marker file holds the parameters). A directory that holds other data (task03_* without our marker) is never
 * overwritten: that is a user error.
 */
export async function ensureSyntheticData(dir: string, options: SynthOptions = {}): Promise<SynthSummary> {
  const cfg = resolveConfig(options);
  const marker = join(dir, SYNTH_MARKER);
  let existing: (SynthConfig & { counts: SynthSummary['counts'] }) | undefined;
  try {
    existing = JSON.parse(await readFile(marker, 'utf8')) as SynthConfig & { counts: SynthSummary['counts'] };
  } catch {
    existing = undefined;
  }
  if (existing) {
    const { counts, ...stored } = existing;
    if (JSON.stringify(stored) === JSON.stringify(cfg)) return { dir, config: cfg, generated: false, counts };
  }
  return generateSyntheticData(dir, options);
}
