import { readFile } from 'node:fs/promises';
import { CLASS_NAMES, VigilUserError, locateJsonError } from '@vigil/core';
import { RecordIssues } from './record-issues.js';

/** One image of a competition `labels.json`, structurally valid (boxes not yet checked against the image). */
export interface RawRecord {
  /** Position of the entry in `annotations` (0-based). */
  index: number;
  fileName: string;
  objects: { class: unknown; position: unknown }[];
  /** The entry as it was in the file (other keys kept), for raw_train.json / raw_val.json. */
  raw: unknown;
}

/** A record after cleaning: class indices and boxes xyxy in pixels, all valid for a `width × height` image. */
export interface CleanRecord {
  index: number;
  fileName: string;
  width: number;
  height: number;
  classes: Int32Array;
  /** `[n·4]` xyxy pixels, clipped to the image. */
  boxes: Float64Array;
  raw: unknown;
}

/**
 * Parses a competition labels.json text (SPEC §1). A file that is not valid JSON, or has no `annotations` array,
 * stops with a {@link VigilUserError} naming the line and column. Entries that are not `{file_name, objects}` (or
 * whose file name is empty, absolute or leaves the images folder) are skipped and reported; duplicate file names keep
 * the first entry.
 */
export function parseRawLabels(text: string, file: string, issues: RecordIssues): RawRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const pos = locateJsonError(text);
    const where = pos ? `line ${pos.line}, column ${pos.column} (character ${pos.offset}): ${pos.message}` : (e as Error).message;
    throw new VigilUserError(`${file} is not valid JSON at ${where}; fix or re-export the file`, file);
  }
  const ann = (data as { annotations?: unknown } | null)?.annotations;
  if (typeof data !== 'object' || data === null || !Array.isArray(ann)) {
    throw new VigilUserError(`${file} has no "annotations" array at the top level (expected {"annotations": [...]})`, file);
  }
  const records: RawRecord[] = [];
  const seen = new Set<string>();
  ann.forEach((entry: unknown, index: number) => {
    const e = entry as { file_name?: unknown; objects?: unknown } | null;
    const name = typeof e === 'object' && e !== null ? e.file_name : undefined;
    const label = typeof name === 'string' && name ? name : `annotations[${index}]`;
    if (
      typeof e !== 'object' ||
      e === null ||
      Array.isArray(e) ||
      typeof name !== 'string' ||
      name === '' ||
      name.includes('/') ||
      name.includes('\\') ||
      name === '.' ||
      name === '..' ||
      !Array.isArray(e.objects)
    ) {
      issues.add('malformed entry', label);
      return;
    }
    if (seen.has(name)) {
      issues.add('duplicate file_name', `${name} (annotations[${index}])`);
      return;
    }
    seen.add(name);
    records.push({ index, fileName: name, objects: e.objects as RawRecord['objects'], raw: entry });
  });
  return records;
}

/** Reads and parses a labels.json file (see {@link parseRawLabels}). */
export async function readRawLabels(file: string, issues: RecordIssues): Promise<RawRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new VigilUserError(`cannot read ${file}: ${(e as Error).message}`, file);
  }
  return parseRawLabels(text, file, issues);
}

/**
 * Checks a record's boxes against its image size (SPEC §2.5, Decision): malformed objects and unknown classes are
 * dropped; x2≤x1 or y2≤y1 is a degenerate box (dropped); a box reaching outside the image is clipped, and dropped if
 * nothing is left. Every case is reported; the image itself is always kept.
 */
export function cleanRecord(
  rec: RawRecord,
  width: number,
  height: number,
  issues: RecordIssues,
  names: readonly string[] = CLASS_NAMES,
): CleanRecord {
  const classes: number[] = [];
  const boxes: number[] = [];
  for (const o of rec.objects) {
    const pos = (o as { position?: unknown } | null)?.position;
    const cls = (o as { class?: unknown } | null)?.class;
    if (
      typeof o !== 'object' ||
      o === null ||
      typeof cls !== 'string' ||
      !Array.isArray(pos) ||
      pos.length !== 4 ||
      !pos.every((v) => typeof v === 'number' && Number.isFinite(v))
    ) {
      issues.add('malformed object', rec.fileName);
      continue;
    }
    const c = names.indexOf(cls);
    if (c < 0) {
      issues.add('unknown class', `${rec.fileName} (${JSON.stringify(cls).slice(0, 40)})`);
      continue;
    }
    let [x1, y1, x2, y2] = pos as number[];
    if (!(x2! > x1!) || !(y2! > y1!)) {
      issues.add('degenerate box', rec.fileName);
      continue;
    }
    if (x1! < 0 || y1! < 0 || x2! > width || y2! > height) {
      x1 = Math.min(Math.max(x1!, 0), width);
      x2 = Math.min(Math.max(x2!, 0), width);
      y1 = Math.min(Math.max(y1!, 0), height);
      y2 = Math.min(Math.max(y2!, 0), height);
      if (!(x2 > x1) || !(y2 > y1)) {
        issues.add('box outside image', rec.fileName);
        continue;
      }
      issues.add('box clipped', rec.fileName);
    }
    classes.push(c);
    boxes.push(x1!, y1!, x2!, y2!);
  }
  return {
    index: rec.index,
    fileName: rec.fileName,
    width,
    height,
    classes: Int32Array.from(classes),
    boxes: Float64Array.from(boxes),
    raw: rec.raw,
  };
}
