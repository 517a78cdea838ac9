import { CLASS_NAMES, type Detections, VigilUserError, locateJsonError } from '@vigil/core';
import type { ConfusionMatrix } from './confusion-matrix.js';
import { DetectionEvaluator } from './evaluator.js';
import type { Metrics } from './metrics.js';
import type { GroundTruth, MatchingMode } from './types.js';

/** One image of a labels.json / predictions file (SPEC.md §1), validated. */
export interface ParsedImage<T> {
  fileName: string;
  data: T;
}

/** Options of {@link scoreCompetitionFiles}. */
export interface ScoreOptions {
  /** Class names, index = class id (default: the competition's 7). */
  names?: readonly string[];
  matching?: MatchingMode;
}

/** Result of {@link scoreCompetitionFiles}. */
export interface ScoreReport {
  metrics: Metrics;
  confusion?: ConfusionMatrix;
  /** Prediction entries whose image is not in the labels (ignored). */
  ignoredImages: string[];
  /** Labelled images with no entry in the predictions (scored as having no detections). */
  missingImages: string[];
}

/** `JSON.parse` with an error naming the file, line and column. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /at position (\d+)/.exec(msg);
    const pos = m ? Number(m[1]) : /end of JSON input/.test(msg) ? text.length : (locateJsonError(text)?.offset ?? -1);
    let where = '';
    if (pos >= 0) {
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${col} (character ${pos})`;
    }
    const reason = msg.replace(/ in JSON at position \d+.*$/, '').replace(/, \.\.\.".*$/s, '');
    throw new VigilUserError(`${file}: not valid JSON${where}: ${reason}. Fix the file (is it complete?) and retry.`, file);
  }
}

/**
 * The entries of the document's `annotations` list, parsed one at a time. A file of 35,000 images holds over a
 * million objects: parsing it whole with JSON.parse keeps them all alive at once and the garbage collector dominates.
 * Instead a scanner finds the list's elements (tracking strings and nesting only) and each is parsed on its own when
 * read; the rest of the document is checked by parsing it with the elements blanked out. Anything unusual (a syntax
 * error, a repeated "annotations" key, a non-list) falls back to parsing the whole text, which gives the exact error.
 */
function annotationsOf(text: string, file: string): { count: number; get(i: number): unknown } {
  const fast = splitAnnotations(text);
  if (fast) {
    let doc: unknown;
    try {
      doc = JSON.parse(text.slice(0, fast.open + 1) + fast.bounds.map(([a, b]) => (blank(text, a, b) ? '' : '0')).join(',') + text.slice(fast.close)) as unknown;
    } catch {
      doc = undefined;
    }
    if (isAnnotationsDoc(doc) && doc.annotations.length === fast.bounds.length) {
      return {
        count: fast.bounds.length,
        get: (i) => {
          const [a, b] = fast.bounds[i]!;
          try {
            return JSON.parse(text.slice(a, b)) as unknown;
          } catch {
            parseJsonText(text, file); // throws the error with its position in the whole file
            throw new VigilUserError(`${file}: annotations[${i}] is not valid JSON.`, file);
          }
        },
      };
    }
  }
  const doc = parseJsonText(text, file);
  if (!isAnnotationsDoc(doc)) {
    throw new VigilUserError(`${file}: expected an object {"annotations": [...]} (SPEC §1 format); got ${describe(doc)}.`, file);
  }
  return { count: doc.annotations.length, get: (i) => doc.annotations[i] };
}

/** Whether text[a, b) is only JSON whitespace. */
function blank(text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return false;
  }
  return true;
}

function isAnnotationsDoc(doc: unknown): doc is { annotations: unknown[] } {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && Array.isArray((doc as { annotations?: unknown }).annotations);
}

/**
 * Finds, in a JSON object text, the `[` and `]` of the value of its top-level "annotations" key and the
 * [start, end) offsets of the list's elements (tracking only strings and nesting); undefined when the text does not
 * look like that, or names "annotations" twice (the caller then parses the whole text and reports the exact error).
 */
function splitAnnotations(text: string): { open: number; close: number; bounds: [number, number][] } | undefined {
  const n = text.length;
  let depth = 0;
  let open = -1;
  let close = -1;
  let start = -1;
  let lastKey = '';
  let valueOf = ''; // key whose value starts at the next token (depth 1)
  const bounds: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) continue;
    if (depth === 1 && valueOf !== '') {
      if (valueOf === 'annotations') {
        if (c !== 91 /* [ */ || open >= 0) return undefined;
        open = i;
        start = i + 1;
      }
      valueOf = '';
    }
    if (c === 34 /* " */) {
      const s0 = i + 1;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* backslash */) i++;
        else if (d === 34) break;
      }
      if (i >= n) return undefined;
      if (depth === 1) lastKey = text.slice(s0, i);
    } else if (c === 58 /* : */) {
      if (depth === 1) valueOf = lastKey;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 1 && open >= 0 && close < 0) {
        if (c !== 93) return undefined;
        if (bounds.length || text.slice(start, i).trim() !== '') bounds.push([start, i]);
        close = i;
      }
    } else if (c === 44 /* , */ && depth === 2 && open >= 0 && close < 0) {
      bounds.push([start, i]);
      start = i + 1;
    }
  }
  if (depth !== 0 || open < 0 || close < 0) return undefined;
  return { open, close, bounds };
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * Reads the `annotations` of a labels.json or predictions file: every entry needs `file_name` and `objects` (a list,
 * or `{}` for none as the original writes); every object `class` (one of `names`), `position` [x1, y1, x2, y2]
 * (finite numbers, pixels) and, for predictions, a finite `confidence_score`. Other keys are ignored. Errors name the
 * file, the entry (index and file name) and the object index.
 */
function readAnnotations<T>(
  text: string,
  file: string,
  names: readonly string[],
  withConfidence: boolean,
  build: (boxes: number[], classes: number[], conf: number[]) => T,
): ParsedImage<T>[] {
  const anns = annotationsOf(text, file);
  const out: ParsedImage<T>[] = [];
  const seen = new Set<string>();
  const classOf = new Map(names.map((n, i) => [n, i]));
  for (let a = 0; a < anns.count; a++) {
    const ann = anns.get(a);
    const at = `${file}: annotations[${a}]`;
    if (typeof ann !== 'object' || ann === null) throw new VigilUserError(`${at}: expected an object with "file_name" and "objects", got ${describe(ann)}.`, file);
    const fn = (ann as { file_name?: unknown }).file_name;
    if (typeof fn !== 'string' || fn === '') throw new VigilUserError(`${at}: missing or non-string "file_name".`, file);
    const where = `${file}: image "${fn}" (annotations[${a}])`;
    if (seen.has(fn)) throw new VigilUserError(`${where}: the image appears twice; merge its objects into one entry.`, file);
    seen.add(fn);
    let objs = (ann as { objects?: unknown }).objects;
    if (objs === undefined) throw new VigilUserError(`${where}: missing "objects" (use [] or {} for an image without objects).`, file);
    if (!Array.isArray(objs)) {
      if (typeof objs === 'object' && objs !== null && Object.keys(objs).length === 0) objs = [];
      else throw new VigilUserError(`${where}: "objects" must be a list (or {} for none), got ${describe(objs)}.`, file);
    }
    const list = objs as unknown[];
    const boxes: number[] = [];
    const classes: number[] = [];
    const conf: number[] = [];
    for (let k = 0; k < list.length; k++) {
      const o = list[k];
      if (typeof o !== 'object' || o === null) throw new VigilUserError(`${where}, objects[${k}]: expected an object with "class" and "position", got ${describe(o)}.`, file);
      const rec = o as { class?: unknown; position?: unknown; confidence_score?: unknown };
      const c = typeof rec.class === 'string' ? classOf.get(rec.class) ?? -1 : -1;
      if (c < 0) {
        if (rec.class === undefined) throw new VigilUserError(`${where}, objects[${k}]: missing "class".`, file);
        throw new VigilUserError(`${where}, objects[${k}]: unknown class ${describe(rec.class)}; expected one of ${names.join(', ')}.`, file);
      }
      const p = rec.position;
      if (
        !Array.isArray(p) ||
        p.length !== 4 ||
        !Number.isFinite(p[0]) || !Number.isFinite(p[1]) || !Number.isFinite(p[2]) || !Number.isFinite(p[3])
      ) {
        if (p === undefined) throw new VigilUserError(`${where}, objects[${k}]: missing "position".`, file);
        throw new VigilUserError(`${where}, objects[${k}]: "position" must be 4 finite numbers [x1, y1, x2, y2] in pixels, got ${describe(p)}.`, file);
      }
      if (withConfidence) {
        const s = rec.confidence_score;
        if (!Number.isFinite(s)) {
          if (s === undefined) throw new VigilUserError(`${where}, objects[${k}]: missing "confidence_score".`, file);
          throw new VigilUserError(`${where}, objects[${k}]: "confidence_score" must be a finite number, got ${describe(s)}.`, file);
        }
        conf.push(s as number);
      }
      boxes.push(p[0] as number, p[1] as number, p[2] as number, p[3] as number);
      classes.push(c);
    }
    out.push({ fileName: fn, data: build(boxes, classes, conf) });
  }
  return out;
}

/** Parses a ground-truth labels.json (SPEC.md §1): per image, boxes xyxy pixels as float32. */
export function parseLabelsFile(text: string, file: string, names: readonly string[] = CLASS_NAMES): ParsedImage<GroundTruth>[] {
  return readAnnotations(text, file, names, false, (boxes, classes) => ({
    count: classes.length,
    boxes: Float32Array.from(boxes),
    classes: Int32Array.from(classes),
  }));
}

/**
 * Parses a predictions file (competition output format): per image, the objects sorted stably by descending
 * confidence (the order the original's NMS produced them in), boxes xyxy pixels and scores as float32.
 */
export function parsePredictionsFile(text: string, file: string, names: readonly string[] = CLASS_NAMES): ParsedImage<Detections>[] {
  return readAnnotations(text, file, names, true, (boxes, classes, conf) => {
    const n = conf.length;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = conf[i - 1]! >= conf[i]!;
    const det: Detections = { count: n, boxes: Float32Array.from(boxes), scores: Float32Array.from(conf), classes: Int32Array.from(classes) };
    if (sorted) return det;
    const order = Array.from(conf, (_, i) => i).sort((x, y) => conf[y]! - conf[x]!); // stable
    order.forEach((i, k) => {
      det.boxes.set(boxes.slice(4 * i, 4 * i + 4), 4 * k);
      det.scores[k] = conf[i]!;
      det.classes[k] = classes[i]!;
    });
    return det;
  });
}

const NO_DETECTIONS: Detections = { count: 0, boxes: new Float32Array(0), scores: new Float32Array(0), classes: new Int32Array(0) };

/**
 * Scores a predictions file against ground truth as the original's `test` would (images in labels.json order).
 * Predictions for images absent from the labels are ignored and listed; labelled images absent from the predictions
 * count as images without detections.
 */
export function scoreCompetitionFiles(
  labels: { text: string; file: string },
  predictions: { text: string; file: string },
  options: ScoreOptions = {},
): ScoreReport {
  const names = options.names ?? CLASS_NAMES;
  const gt = parseLabelsFile(labels.text, labels.file, names);
  const pred = parsePredictionsFile(predictions.text, predictions.file, names);
  const byName = new Map(pred.map((p) => [p.fileName, p.data]));
  const labelled = new Set(gt.map((g) => g.fileName));
  const ev = new DetectionEvaluator({ names, ...(options.matching ? { matching: options.matching } : {}) });
  const missingImages: string[] = [];
  for (const g of gt) {
    const p = byName.get(g.fileName);
    if (!p) missingImages.push(g.fileName);
    ev.addImage(p ?? NO_DETECTIONS, g.data);
  }
  const { metrics, confusion } = ev.result();
  return {
    metrics,
    ...(confusion ? { confusion } : {}),
    ignoredImages: pred.filter((p) => !labelled.has(p.fileName)).map((p) => p.fileName),
    missingImages,
  };
}

/** The scorer's one-line JSON summary (classes without labels omitted). */
export interface ScoreSummary {
  map50: number;
  map75: number;
  map80_seed: number;
  map50_95: number;
  precision: number;
  recall: number;
  classes: Record<string, { ap50: number; ap75: number; ap50_95: number; labels: number }>;
}

/** {@link ScoreSummary} of a metrics object. */
export function scoreSummary(m: Metrics): ScoreSummary {
  const classes: ScoreSummary['classes'] = {};
  for (const c of m.classes) classes[c.name] = { ap50: c.ap50, ap75: c.ap75, ap50_95: c.ap50_95, labels: c.labels };
  return {
    map50: m.map50,
    map75: m.map75,
    map80_seed: m.map80Seed,
    map50_95: m.map50_95,
    precision: m.precision,
    recall: m.recall,
    classes,
  };
}
