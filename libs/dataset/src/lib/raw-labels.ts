import { readFile } from 'node:fs/promises';
import { CLASS_NAMES, VigilUserError, locateJsonError } from '@vigil/core';
import { RecordIssues } from './record-issues.js';

/** One image of a competition `labels.json`, structurally valid (boxes not yet checked against the image). */
export interface RawRecord {
  /** Position of the entry in `annotations` (0-based). */
  index: number;
  fileName: string;
  objects: { class: unknown; position: unknown }[];
  /** The entry has no `objects` (missing, null or `{}`): a background image, kept without boxes. */
  noObjects?: boolean;
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
 * stops with a {@link VigilUserError} naming the line and column. An entry without `objects` (the key missing, null or
 * `{}`, as predictions write "nothing") is a background image; entries that are not `{file_name, objects?}` with
 * `objects` a list (or whose file name is empty, absolute or leaves the images folder) are skipped and reported;
 * duplicate file names keep the first entry. `named` collects every file name an entry gives, usable or not.
 */
export function parseRawLabels(textIn: string, file: string, issues: RecordIssues, named?: Set<string>): RawRecord[] {
  // a UTF-8 byte-order mark (Windows editors write one) is not JSON but says nothing wrong about the content
  const text = textIn.charCodeAt(0) === 0xfeff ? textIn.slice(1) : textIn;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // Python's json.dump writes NaN / Infinity for such floats: read them as null (that box is then reported as
    // malformed) rather than stop the whole conversion.
    const lenient = pythonFloatsToNull(text);
    try {
      if (lenient === undefined) throw e;
      data = JSON.parse(lenient);
    } catch {
      const pos = locateJsonError(text);
    const where = pos ? `line ${pos.line}, column ${pos.column} (character ${pos.offset}): ${pos.message}` : (e as Error).message;
      throw new VigilUserError(`${file} is not valid JSON at ${where}; fix or re-export the file`, file);
    }
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
    if (typeof name === 'string') named?.add(name);
    const objects = typeof e === 'object' && e !== null ? e.objects : undefined;
    const noObjects =
      objects === undefined || objects === null || (typeof objects === 'object' && !Array.isArray(objects) && Object.keys(objects).length === 0);
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
      (!noObjects && !Array.isArray(objects))
    ) {
      issues.add('malformed entry', `${label} (${malformedReason(e, name, objects)})`);
      return;
    }
    if (seen.has(name)) {
      issues.add('duplicate file_name', `${name} (annotations[${index}])`);
      return;
    }
    seen.add(name);
    records.push({ index, fileName: name, objects: noObjects ? [] : (objects as RawRecord['objects']), raw: entry, ...(noObjects ? { noObjects } : {}) });
  });
  return records;
}

/**
 * `text` with Python's non-JSON float literals (`NaN`, `Infinity`, `-Infinity`) outside strings replaced by `null`,
 * or undefined when there are none.
 */
function pythonFloatsToNull(text: string): string | undefined {
  const re = /"(?:[^"\\]|\\.)*"|-?\b(?:NaN|Infinity)\b/g;
  let found = false;
  const out = text.replace(re, (m) => {
    if (m.startsWith('"')) return m;
    found = true;
    return 'null';
  });
  return found ? out : undefined;
}

/** What is wrong with an entry {@link parseRawLabels} skips, in a few words. */
function malformedReason(e: unknown, name: unknown, objects: unknown): string {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return `not an object: ${JSON.stringify(e)?.slice(0, 30)}`;
  if (name === undefined) return 'no file_name';
  if (typeof name !== 'string') return `file_name is ${JSON.stringify(name)?.slice(0, 30)}, not a string`;
  if (name === '') return 'empty file_name';
  if (name.includes('/') || name.includes('\\') || name === '.' || name === '..') return 'file_name is a path, not a file name in images/';
  return `objects is ${JSON.stringify(objects)?.slice(0, 30)}, not a list`;
}

/** Reads and parses a labels.json file (see {@link parseRawLabels}). */
export async function readRawLabels(file: string, issues: RecordIssues, named?: Set<string>): Promise<RawRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new VigilUserError(`cannot read ${file}: ${(e as Error).message}`, file);
  }
  return parseRawLabels(text, file, issues, named);
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
  rec.objects.forEach((o, k) => {
    const pos = (o as { position?: unknown } | null)?.position;
    const cls = (o as { class?: unknown } | null)?.class;
    const wrong =
      typeof o !== 'object' || o === null || Array.isArray(o)
        ? 'not an object'
        : typeof cls !== 'string'
          ? `class ${cls === undefined ? 'missing' : `is ${JSON.stringify(cls).slice(0, 20)}`}, not a name`
          : !Array.isArray(pos) || pos.length !== 4 || !pos.every((v) => typeof v === 'number' && Number.isFinite(v))
            ? `position ${pos === undefined ? 'missing' : `is ${JSON.stringify(pos).slice(0, 40)}`}, not 4 finite numbers [x1, y1, x2, y2]`
            : undefined;
    if (wrong) {
      issues.add('malformed object', `${rec.fileName} (objects[${k}]: ${wrong})`);
      return;
    }
    const c = names.indexOf(cls as string);
    if (c < 0) {
      issues.add('unknown class', `${rec.fileName} (${JSON.stringify(cls).slice(0, 40)})`);
      return;
    }
    let [x1, y1, x2, y2] = pos as number[];
    if (!(x2! > x1!) || !(y2! > y1!)) {
      issues.add('degenerate box', rec.fileName);
      return;
    }
    if (x1! < 0 || y1! < 0 || x2! > width || y2! > height) {
      x1 = Math.min(Math.max(x1!, 0), width);
      x2 = Math.min(Math.max(x2!, 0), width);
      y1 = Math.min(Math.max(y1!, 0), height);
      y2 = Math.min(Math.max(y2!, 0), height);
      if (!(x2 > x1) || !(y2 > y1)) {
        issues.add('box outside image', rec.fileName);
        return;
      }
      issues.add('box clipped', rec.fileName);
    }
    classes.push(c);
    boxes.push(x1!, y1!, x2!, y2!);
  });
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
