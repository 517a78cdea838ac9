import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import pLimit from 'p-limit';
import { imageToLabelPath, IMAGE_FORMATS } from './discover.js';
import { oneLine } from './image-check.js';
import { readImageMeta } from './image-source.js';
import { parseLabelText } from './label-file.js';
import type { ProgressCallback } from './progress.js';

/** Counts of a verification pass (the original's nf, nm, ne, nc). */
export interface VerifyStats {
  found: number;
  missing: number;
  empty: number;
  corrupted: number;
  /** Duplicate label rows removed (as the original). */
  duplicates: number;
  /** Zero-width or zero-height boxes removed. */
  zeroSize: number;
  /** First messages about corrupted images/labels. */
  messages: string[];
}

/** The verified content of a YOLO-layout dataset. */
export interface VerifiedLabels {
  files: string[];
  /** Per image `[n,5]` float32: class, cx, cy, w, h normalised to [0,1]. */
  labels: Float32Array[];
  /** Per image `[width, height]` of the original file (EXIF orientation applied). */
  shapes: [number, number][];
  /** Per image: the file holds one 8-bit grey channel (`readImageMeta`'s `grey`). */
  grey: boolean[];
  stats: VerifyStats;
  /** Path of the cache file, and whether it was read (true) or written (false). */
  cachePath: string;
  fromCache: boolean;
}

const CACHE_VERSION = 4;
const FORMATS = new Set<string>(IMAGE_FORMATS.map((f) => (f === 'jpg' ? 'jpeg' : f === 'tif' ? 'tiff' : f)));

async function verifyOne(
  imageFile: string,
  labelFile: string,
  nc: number | undefined,
): Promise<{ labels?: number[]; shape?: [number, number]; grey?: boolean; state: 'found' | 'missing' | 'empty' | 'corrupted'; message?: string; duplicates: number; zeroSize: number }> {
  let shape: [number, number];
  let grey: boolean;
  try {
    const m = await readImageMeta(imageFile);
    grey = m.grey;
    shape = m.orientation >= 5 ? [m.height, m.width] : [m.width, m.height];
    if (shape[0] < 10 || shape[1] < 10) throw new Error(`image size ${shape[0]}×${shape[1]} < 10 pixels`);
    if (!FORMATS.has(m.format)) throw new Error(`invalid image format ${m.format}`);
  } catch (e) {
    return { state: 'corrupted', message: `${imageFile}: ${oneLine((e as Error).message)}`, duplicates: 0, zeroSize: 0 };
  }
  let text: string;
  try {
    text = await readFile(labelFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing', labels: [], shape, grey, duplicates: 0, zeroSize: 0 };
    // a label file that exists but cannot be read is not a background image: its boxes are unknown
    return { state: 'corrupted', message: `${labelFile}: cannot read the label file (${code ?? oneLine((e as Error).message)})`, duplicates: 0, zeroSize: 0 };
  }
  const parsed = parseLabelText(text, nc);
  if (parsed.problem) return { state: 'corrupted', message: `${labelFile}: ${parsed.problem.message}`, duplicates: 0, zeroSize: 0 };
  if (parsed.rows === 0) return { state: 'empty', labels: [], shape, grey, duplicates: 0, zeroSize: 0 };
  return { state: 'found', labels: parsed.labels, shape, grey, duplicates: parsed.duplicates, zeroSize: parsed.zeroSize };
}

/**
 * Verifies every image (header: size ≥ 10 px, known format, BMP included) and its YOLO label file
 * ({@link parseLabelText}: 5 columns, whole class ids ≥ 0 and < `nc` when given, coordinates in [0,1]); corrupted
 * pairs are excluded and counted, duplicate rows and zero-size boxes dropped and counted. The result is cached in
 * `<labels folder>.cache.json` next to the labels folder (the original: `labels/train.cache`), keyed by the paths,
 * sizes and modification times of all image and label files; a stale or unreadable cache is rebuilt.
 */
export async function verifyLabels(imageFiles: readonly string[], options: { concurrency?: number; onProgress?: ProgressCallback; cache?: boolean; nc?: number } = {}): Promise<VerifiedLabels> {
  const labelFiles = imageFiles.map(imageToLabelPath);
  const cachePath = `${dirname(labelFiles[0] ?? 'labels/x.txt')}.cache.json`;
  const limit = pLimit(options.concurrency ?? 32);
  const hash = createHash('sha1');
  hash.update(`nc=${options.nc ?? ''}\n`);
  const stamps = await Promise.all(
    [...imageFiles, ...labelFiles].map((f) =>
      limit(async () => {
        const s = await stat(f).catch(() => undefined);
        return s ? `${f}\0${s.size}\0${s.mtimeMs}` : `${f}\0-`;
      }),
    ),
  );
  for (const s of stamps) hash.update(s).update('\n');
  const key = hash.digest('hex');
  if (options.cache !== false) {
    try {
      const c = JSON.parse(await readFile(cachePath, 'utf8')) as {
        version: number;
        hash: string;
        files: string[];
        labels: number[][];
        shapes: [number, number][];
        grey: boolean[];
        stats: VerifyStats;
      };
      if (c.version === CACHE_VERSION && c.hash === key) {
        return { files: c.files, labels: c.labels.map((l) => Float32Array.from(l)), shapes: c.shapes, grey: c.grey, stats: c.stats, cachePath, fromCache: true };
      }
    } catch {
      /* no cache or unreadable: rebuild */
    }
  }
  const stats: VerifyStats = { found: 0, missing: 0, empty: 0, corrupted: 0, duplicates: 0, zeroSize: 0, messages: [] };
  let done = 0;
  const results = await Promise.all(
    imageFiles.map((f, i) =>
      limit(async () => {
        const r = await verifyOne(f, labelFiles[i]!, options.nc);
        options.onProgress?.({ phase: 'verify', done: ++done, total: imageFiles.length });
        return r;
      }),
    ),
  );
  const files: string[] = [];
  const labels: Float32Array[] = [];
  const shapes: [number, number][] = [];
  const grey: boolean[] = [];
  results.forEach((r, i) => {
    stats[r.state]++;
    stats.duplicates += r.duplicates;
    stats.zeroSize += r.zeroSize;
    if (r.state === 'empty') stats.found++; // the original counts an empty label file as found and empty
    if (r.message && stats.messages.length < 20) stats.messages.push(r.message);
    if (r.state === 'corrupted') return;
    files.push(imageFiles[i]!);
    labels.push(Float32Array.from(r.labels!));
    shapes.push(r.shape!);
    grey.push(r.grey!);
  });
  if (options.cache !== false) {
    const body = JSON.stringify({ version: CACHE_VERSION, hash: key, files, labels: labels.map((l) => Array.from(l)), shapes, grey, stats });
    await writeFile(cachePath, body).catch(() => undefined); // read-only folder: no cache, as the original
  }
  return { files, labels, shapes, grey, stats, cachePath, fromCache: false };
}
