import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { type Detections, VigilUserError } from '@vigil/core';
import { videoFrameName } from '@vigil/dataset';
import { type PyJson, PyInt, pyJsonDumps, pyRound } from './py-json.js';

const f32 = Math.fround;

/** How an image without detections is written: the seed's `{}` (default) or `[]`. */
export type EmptyObjects = 'dict' | 'list';

/** One image of the predictions file. */
export interface PredictionRecord {
  file_name: string;
  objects: PyJson[] | Record<string, never>;
}

/** The competition's file name of an image: its stem + ".jpg", as the original writes it (`path.stem + '.jpg'`). */
export function competitionFileName(file: string): string {
  return `${basename(file, extname(file))}.jpg`;
}

/**
 * Stops before any work when two images would be written under one name: `sub1/x.jpg` and `sub2/x.jpg` (or `x.jpg`
 * and `x.png` under the competition's `<stem>.jpg` rule) would give two records with one `file_name`, which no scorer
 * can tell apart. `what` says which name clashes (e.g. "file_name", "--save-img file"). Names both files.
 */
export function checkOutputNames(files: readonly string[], fileName: (file: string) => string, what: string): void {
  const seen = new Map<string, string>();
  let clashes = 0;
  let first: [string, string, string] | undefined;
  for (const f of files) {
    const name = fileName(f);
    const other = seen.get(name);
    if (other === undefined) seen.set(name, f);
    else {
      clashes++;
      first ??= [other, f, name];
    }
  }
  if (!first) return;
  const [a, b, name] = first;
  throw new VigilUserError(
    `${a} and ${b} would both be written as ${what} '${name}'${clashes > 1 ? ` (and ${clashes - 1} more such clash${clashes > 2 ? 'es' : ''})` : ''}: ` +
      'rename one of them, or predict the folders in separate runs',
    b,
  );
}

/**
 * Stops before any work when a video's frames could be written under a name another source has: two videos with one
 * stem, or an image whose record name looks like a frame of a video (`<video stem>_<digits>.jpg`). Names both files.
 */
export function checkVideoFrameNames(images: readonly string[], videos: readonly string[], fileName: (file: string) => string): void {
  checkOutputNames(videos, (v) => videoFrameName(v, 0), 'file_name of frame 0');
  const stems = new Map(videos.map((v) => [basename(v, extname(v)), v]));
  for (const f of images) {
    const name = fileName(f);
    const m = /^(.*)_\d{6,}\.jpg$/.exec(name);
    const v = m ? stems.get(m[1]!) : undefined;
    if (v) throw new VigilUserError(`${f} and a frame of ${v} could both be written as file_name '${name}': rename one of them, or predict them in separate runs`, f);
  }
}

/**
 * The record of one image, as the original's predict.py builds it: boxes (already in original-image pixels, clipped)
 * go through `xyxy2xywh`, the top-left corner and `x + w` in float32, then Python's `round(v, 1)`; confidence
 * `round(score, 4)`; class name by index. No detection → `objects: {}` (or `[]` with `empty: 'list'`). `fileName` names
 * the image in the file (default: the competition's stem + ".jpg").
 */
export function predictionRecord(
  file: string,
  det: Detections,
  names: readonly string[],
  empty: EmptyObjects = 'dict',
  fileName: (file: string) => string = competitionFileName,
): PredictionRecord {
  const file_name = fileName(file);
  if (det.count === 0) return { file_name, objects: empty === 'dict' ? {} : [] };
  const objects: PyJson[] = [];
  for (let i = 0; i < det.count; i++) {
    const b = det.boxes;
    const x1 = b[4 * i]!;
    const y1 = b[4 * i + 1]!;
    const x2 = b[4 * i + 2]!;
    const y2 = b[4 * i + 3]!;
    const w = f32(x2 - x1);
    const h = f32(y2 - y1);
    const x = f32(f32(f32(x1 + x2) / 2) - f32(w / 2));
    const y = f32(f32(f32(y1 + y2) / 2) - f32(h / 2));
    const cls = det.classes[i]!;
    objects.push({
      class: names[cls] ?? String(cls),
      position: [x, y, x + w, y + h].map((v) => pyRound(v, 1)),
      confidence_score: pyRound(det.scores[i]!, 4),
    });
  }
  return { file_name, objects };
}

/** Shard metadata kept in a shard's output (ignored by the scorer; checked and dropped by `merge`). */
export interface ShardInfo {
  index: number;
  count: number;
  /** Images of the whole source (all shards). */
  total: number;
}

/** The file text: `{"annotations": [...]}` exactly as Python's `json.dump` writes it (plus "shard" for a shard). */
export function predictionsText(records: readonly PredictionRecord[], shard?: ShardInfo): string {
  const doc: { [k: string]: PyJson } = { annotations: records as unknown as PyJson[] };
  if (shard) doc['shard'] = { index: new PyInt(shard.index), count: new PyInt(shard.count), total: new PyInt(shard.total) };
  return pyJsonDumps(doc);
}

/** Writes a file atomically (temporary file + rename), creating its folder. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** `<stem of the first weights file>_predictions.json`, or `…_predictions.shard-<i>-of-<n>.json` for a shard. */
export function predictionsFileName(firstWeights: string, shard?: { index: number; count: number }): string {
  const stem = basename(firstWeights, extname(firstWeights));
  return shard ? `${stem}_predictions.shard-${shard.index}-of-${shard.count}.json` : `${stem}_predictions.json`;
}
