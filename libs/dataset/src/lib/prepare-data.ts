import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import fg from 'fast-glob';
import pLimit from 'p-limit';
import { CLASS_NAMES, VigilUserError } from '@vigil/core';
import { countClasses, formatClassCounts } from './class-counts.js';
import { selectDiet } from './diet.js';
import { checkImageFile, checkImageFileSync } from './image-check.js';
import type { ImageCheck } from './image-check.js';
import { hardLinkInWorker, linkOrCopySync } from './link-file.js';
import type { LinkMode } from './link-file.js';
import type { ProgressCallback } from './progress.js';
import { cleanRecord, readRawLabels } from './raw-labels.js';
import type { CleanRecord, RawRecord } from './raw-labels.js';
import { checkOutputDir, checkReplaceable, markPrepared, removePrepared } from './output-dir.js';
import { RecordIssues } from './record-issues.js';
import { splitTrainVal } from './split.js';
import { yoloLabelText } from './yolo-format.js';

/** Options of {@link prepareData} (the original's train.py `data_prepare`). */
export interface PrepareDataOptions {
  /** Competition train folder: `labels.json` + `images/` (the original's /DATA/Final_DATA/task03_train). */
  trainDir: string;
  /** Output parent: `drowsy_face/` and `drowsy_face_diet/` are (re)created inside it (only if written here before). */
  outDir: string;
  /** The flag that gave `outDir`, for messages (default `--out`). */
  outFlag?: string;
  /** Images split off for validation (default 20,000, as the original), capped by `maxValFraction`. */
  valCount?: number;
  /** Largest share of the images that goes to validation (default 0.2). */
  maxValFraction?: number;
  /** Split seed (default 100, the original's `random.seed(100)`; the draw itself differs from Python's). */
  seed?: number;
  /** Images the diet subset is drawn from: 'train' (default, no validation leak) or 'all' (seed-compat). */
  dietSource?: 'train' | 'all';
  /** Cheapest way allowed to place image files (default 'hardlink' → symlink → copy). */
  linkMode?: LinkMode;
  /** With hard links, from this many image files on the links are made on a worker thread while the label files are
   * written (default 2000; below it a worker's start-up costs more than it saves). */
  parallelLinksFrom?: number;
  /** Concurrent header reads when the scan is disk-bound (default 32: overlaps disk latency on a cold cache; page-cached
   * headers are read with blocking calls). Files are then written in order. */
  concurrency?: number;
  /** Class names (default: the competition's 7). */
  names?: readonly string[];
  onProgress?: ProgressCallback;
}

/** What {@link prepareData} did. */
export interface PrepareDataReport {
  datasetDir: string;
  dietDir: string;
  /** `background`: usable images without any box (kept: they teach the model what is not an object); `noObjects`: of
   * those, the entries without an `objects` key. */
  images: { listed: number; usable: number; background: number; noObjects: number; train: number; val: number; diet: number };
  /** Objects per class (index = class id). */
  counts: { diet: number[]; train: number[]; val: number[] };
  issues: RecordIssues;
  links: Record<LinkMode, number>;
  /** Set when the validation count was capped. */
  valNote?: string;
  dietSource: 'train' | 'all';
}

const IMAGE_EXTS = new Set(['.bmp', '.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp']);

/**
 * Converts the competition's `labels.json` + `images/` into the YOLO layout (SPEC §2):
 * `drowsy_face/{images,labels}/{train,val}`, `drowsy_face/raw_train.json`, `raw_val.json`, `diet_train.json`, and
 * `drowsy_face_diet/{images,labels}/train` (the class-rebalanced subset). Image sizes come from file headers (JPEG/PNG parsed directly, others through libvips); images
 * are hard-linked (else symlinked, else copied). Bad records are cleaned and reported (SPEC §2.5); a malformed
 * labels.json stops with the position of the error.
 */
export async function prepareData(options: PrepareDataOptions): Promise<PrepareDataReport> {
  const names = options.names ?? CLASS_NAMES;
  const dietSource = options.dietSource ?? 'train';
  if (dietSource !== 'train' && dietSource !== 'all') throw new VigilUserError(`--diet-source must be 'train' or 'all', got '${String(dietSource)}'`);
  // checked before any work: the output parent is a writable folder, and only folders this converter wrote (each
  // carries its marker from the start) are replaced
  const outFlag = options.outFlag ?? '--out';
  checkOutputDir(options.outDir, outFlag);
  for (const d of ['drowsy_face', 'drowsy_face_diet']) checkReplaceable(join(options.outDir, d), outFlag);
  const concurrency = options.concurrency ?? 32;
  const limit = pLimit(concurrency);
  const progress = options.onProgress;
  const issues = new RecordIssues();
  const labelsFile = join(options.trainDir, 'labels.json');
  const imagesDir = join(options.trainDir, 'images');

  const named = new Set<string>();
  const records = await readRawLabels(labelsFile, issues, named);
  const onDisk = await fg('*', { cwd: imagesDir, onlyFiles: true, dot: true, deep: 1, followSymbolicLinks: true }).catch(() => [] as string[]);
  onDisk.sort();
  const present = new Set(onDisk);
  if (present.size === 0 && records.length > 0) {
    throw new VigilUserError(`no image files in ${imagesDir}: expected the images listed in ${labelsFile} there`, imagesDir);
  }
  // files in images/ that no entry names (they are not converted)
  for (const f of onDisk) if (!named.has(f)) issues.add('image without record', f);
  // a name that differs only by case or Unicode normalisation (macOS writes NFD) gets the on-disk name as a hint
  const looseName = (f: string) => f.normalize('NFC').toLowerCase();
  const byLooseName = new Map(onDisk.map((f) => [looseName(f), f]));

  const sizes = await scanImageSizes(records.map((r) => r.fileName), imagesDir, present, limit, progress);
  const sized = records.map((rec, i): CleanRecord | undefined => {
    const size = sizes[i]!;
    if (!IMAGE_EXTS.has(extname(rec.fileName).toLowerCase())) {
      // The loader only discovers these extensions (SPEC §3): an image it would not see must not reach the split.
      issues.add('unreadable image', `${rec.fileName} (extension not one of ${[...IMAGE_EXTS].join(' ')})`);
      return undefined;
    }
    if (!size.ok) {
      if (size.kind === 'missing') {
        const near = byLooseName.get(looseName(rec.fileName));
        issues.add('missing image', near ? `${rec.fileName} (on disk: ${near}; names must match exactly)` : rec.fileName);
      } else issues.add(size.kind === 'damaged' ? 'damaged image' : size.kind === 'too small' ? 'image too small' : 'unreadable image', `${rec.fileName} (${size.reason})`);
      return undefined;
    }
    return cleanRecord(rec, size.width, size.height, issues, names);
  });
  const valid = sized.filter((r): r is CleanRecord => r !== undefined);
  if (valid.length === 0) {
    const why = [...issues.byKind].map(([k, v]) => `${v.count} ${k}`).join(', ');
    throw new VigilUserError(`${labelsFile}: no usable image (${records.length} entries${why ? `; ${why}` : ''}); nothing written`, labelsFile);
  }
  checkLabelNames(valid.map((r) => r.fileName), imagesDir);
  const noObjects = records.filter((r, i) => r.noObjects && sized[i]).length;

  const split = splitTrainVal(valid.length, options.valCount ?? 20000, options.seed ?? 100, options.maxValFraction ?? 0.2);
  const train = split.train.map((i) => valid[i]!);
  const val = split.val.map((i) => valid[i]!);
  const dietPool = dietSource === 'all' ? valid : train;
  const diet = selectDiet(dietPool.map((r) => r.classes)).map((i) => dietPool[i]!);

  const datasetDir = join(options.outDir, 'drowsy_face');
  const dietDir = join(options.outDir, 'drowsy_face_diet');
  removePrepared(datasetDir);
  removePrepared(dietDir);
  for (const d of [datasetDir, dietDir]) {
    await mkdir(d, { recursive: true });
    markPrepared(d);
    for (const s of d === dietDir ? ['train'] : ['train', 'val']) {
      await mkdir(join(d, 'images', s), { recursive: true });
      await mkdir(join(d, 'labels', s), { recursive: true });
    }
  }
  const rawJson = (rs: RawRecord['raw'][]) => JSON.stringify({ annotations: rs });
  await writeFile(join(datasetDir, 'raw_train.json'), rawJson(train.map((r) => r.raw)));
  await writeFile(join(datasetDir, 'raw_val.json'), rawJson(val.map((r) => r.raw)));
  await writeFile(join(datasetDir, 'diet_train.json'), rawJson(diet.map((r) => r.raw)));

  const links: Record<LinkMode, number> = { hardlink: 0, symlink: 0, copy: 0 };
  // Hard links of the images on a worker thread while this thread writes the label files (other directories: the
  // kernel work of the two runs on two cores); failures fall back to linkOrCopySync afterwards.
  const parallel = (options.linkMode ?? 'hardlink') === 'hardlink' && train.length + val.length + diet.length >= (options.parallelLinksFrom ?? 2000);
  const imagePairs: string[] = [];
  if (parallel) {
    for (const [root, s, recs] of [[datasetDir, 'val', val], [datasetDir, 'train', train], [dietDir, 'train', diet]] as const) {
      for (const r of recs) imagePairs.push(join(imagesDir, r.fileName), join(root, 'images', s, r.fileName));
    }
  }
  const imageLinks = parallel ? hardLinkInWorker(imagePairs) : undefined;
  // Label files already written (drowsy_face), so that the diet subset links them instead of writing them again.
  const written = new Map<string, string>();
  // Synchronous writes in chunks (see linkOrCopySync): file creation is kernel-bound; the event loop gets a turn
  // every 128 files so that progress is drawn.
  const writeSplit = async (root: string, split: string, recs: CleanRecord[], phase: string) => {
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      const stem = r.fileName.slice(0, r.fileName.length - extname(r.fileName).length);
      const labelPath = join(root, 'labels', split, `${stem}.txt`);
      const previous = written.get(r.fileName);
      if (previous) linkOrCopySync(previous, labelPath, options.linkMode === 'copy' ? 'copy' : 'hardlink');
      else {
        writeFileSync(labelPath, yoloLabelText(r.classes, r.boxes, r.width, r.height));
        written.set(r.fileName, labelPath);
      }
      if (!parallel) links[linkOrCopySync(join(imagesDir, r.fileName), join(root, 'images', split, r.fileName), options.linkMode)]++;
      if ((i + 1) % 128 === 0 || i + 1 === recs.length) {
        progress?.({ phase, done: i + 1, total: recs.length });
        await new Promise<void>((res) => setImmediate(res));
      }
    }
  };
  await writeSplit(datasetDir, 'val', val, 'write val');
  await writeSplit(datasetDir, 'train', train, 'write train');
  await writeSplit(dietDir, 'train', diet, 'write diet');
  if (imageLinks) {
    const failed = await imageLinks;
    for (let i = 0; i < failed.length; i++) {
      // a failed link is retried the sequential way (hard link, else symlink, else copy; a missing source throws)
      links[failed[i] === null ? 'hardlink' : linkOrCopySync(imagePairs[2 * i]!, imagePairs[2 * i + 1]!, 'hardlink')]++;
    }
  }

  const report: PrepareDataReport = {
    datasetDir,
    dietDir,
    images: {
      listed: records.length,
      usable: valid.length,
      background: valid.filter((r) => r.classes.length === 0).length,
      noObjects,
      train: train.length,
      val: val.length,
      diet: diet.length,
    },
    counts: {
      diet: countClasses(diet.map((r) => r.classes), names.length),
      train: countClasses(train.map((r) => r.classes), names.length),
      val: countClasses(val.map((r) => r.classes), names.length),
    },
    issues,
    links,
    dietSource,
    ...(split.note ? { valNote: split.note } : {}),
  };
  await writeFile(
    join(datasetDir, 'prepare_report.json'),
    JSON.stringify({ ...report, issues: issues.toJSON() }, null, 2) + '\n',
  );
  return report;
}

/** The converter's verdict on one listed image: the {@link ImageCheck} of its file, or `missing` (not in images/). */
export type ScanResult = ImageCheck | { ok: false; kind: 'missing'; reason: string };

/** Files read synchronously between two turns of the event loop (and between two speed checks). */
const SCAN_CHUNK = 256;
/** Mean blocked time per file above which the scan switches to concurrent async reads (the disk, not the page cache, answers). */
const SCAN_SYNC_LIMIT_MS = 0.05;

/**
 * Milliseconds this thread has spent on a CPU plus runnable but waiting for one (Linux `schedstat`), or undefined
 * where that is not available: what is left of the wall time is time blocked (on the disk, for the scan), so a loaded
 * machine or a garbage-collection pause does not look like a slow disk.
 */
function cpuAndRunDelayMs(): number | undefined {
  try {
    const [cpu, delay] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    const ms = (Number(cpu) + Number(delay)) / 1e6;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks every listed image (one verdict per file name, in order, so that the report does not depend on timing):
 * sizes from the headers, and proof that the file decodes in full (`checkImageFileSync` / `checkImageFile`: a JPEG by
 * its structure — headers plus the end-of-image marker after the scan data, two reads — anything else by a full
 * decode). Page-cached files (the usual case: the data was just copied or unpacked) are read with blocking calls; when
 * a chunk spends more than {@link SCAN_SYNC_LIMIT_MS} a file blocked (wall time minus time on or waiting for a CPU),
 * the rest is read with `limit` concurrent async reads, which overlap the disk's latency. Files the blocking path does
 * not vouch for (PNG, WebP, BMP, unusual JPEGs) are decoded on the pool too.
 */
export async function scanImageSizes(
  fileNames: readonly string[],
  imagesDir: string,
  present: ReadonlySet<string>,
  limit: ReturnType<typeof pLimit>,
  progress: ProgressCallback | undefined,
  syncLimitMs = SCAN_SYNC_LIMIT_MS,
): Promise<ScanResult[]> {
  const total = fileNames.length;
  const sizes = new Array<ScanResult>(total);
  const missing: ScanResult = { ok: false, kind: 'missing', reason: 'not in the images folder' };
  // Positions left for the async pass (not read yet, or not a file the blocking check vouches for).
  const later: number[] = [];
  let done = 0;
  let sync = true;
  for (let i0 = 0; i0 < total; i0 += SCAN_CHUNK) {
    const i1 = Math.min(total, i0 + SCAN_CHUNK);
    if (!sync) {
      for (let i = i0; i < i1; i++) later.push(i);
      continue;
    }
    const t = performance.now();
    const busy0 = cpuAndRunDelayMs();
    for (let i = i0; i < i1; i++) {
      const name = fileNames[i]!;
      if (!present.has(name)) sizes[i] = missing;
      else {
        const s = checkImageFileSync(join(imagesDir, name));
        if (s) sizes[i] = s;
        else later.push(i);
      }
      if (sizes[i] !== undefined) done++;
    }
    const busy1 = cpuAndRunDelayMs();
    const wall = performance.now() - t;
    const blocked = busy0 !== undefined && busy1 !== undefined ? wall - (busy1 - busy0) : wall;
    sync = blocked / (i1 - i0) <= syncLimitMs;
    progress?.({ phase: 'scan', done, total });
    await new Promise<void>((res) => setImmediate(res));
  }
  await Promise.all(
    later.map((i) =>
      limit(async () => {
        const name = fileNames[i]!;
        try {
          sizes[i] = present.has(name) ? await checkImageFile(join(imagesDir, name)) : missing;
        } finally {
          progress?.({ phase: 'scan', done: ++done, total });
        }
      }),
    ),
  );
  return sizes;
}

/**
 * Stops when two images would share one label file: YOLO names a label by the image's stem (`a.jpg`, `a.png` and
 * `a.JPG` all read `a.txt`), so one image would get the other's boxes. Names both files (and how many more clash).
 */
export function checkLabelNames(fileNames: readonly string[], imagesDir: string): void {
  const byStem = new Map<string, string>();
  const clashes: [string, string][] = [];
  for (const f of fileNames) {
    const stem = f.slice(0, f.length - extname(f).length);
    const other = byStem.get(stem);
    if (other === undefined) byStem.set(stem, f);
    else clashes.push([other, f]);
  }
  if (clashes.length === 0) return;
  const [a, b] = clashes[0]!;
  const stem = a.slice(0, a.length - extname(a).length);
  throw new VigilUserError(
    `${imagesDir}: images '${a}' and '${b}' would share the label file '${stem}.txt' (YOLO names labels by the image's stem)` +
      `${clashes.length > 1 ? `, and ${clashes.length - 1} more such pair${clashes.length > 2 ? 's' : ''}` : ''}; rename one of them (file and labels.json entry) and run again`,
    imagesDir,
  );
}

/** Human-readable summary of a {@link PrepareDataReport}: split sizes, per-class table, issues. */
export function formatPrepareReport(r: PrepareDataReport, names: readonly string[] = CLASS_NAMES): string {
  const lines = [
    `images: ${r.images.listed} in labels.json, ${r.images.usable} usable → train ${r.images.train}, val ${r.images.val}, diet ${r.images.diet} (diet source: ${r.dietSource})`,
  ];
  if (r.images.background > 0) {
    lines.push(`background images (no boxes, kept): ${r.images.background}${r.images.noObjects ? `, ${r.images.noObjects} of them without an "objects" key` : ''}`);
  }
  if (r.valNote) lines.push(`note: ${r.valNote}`);
  lines.push(
    formatClassCounts(
      [
        { name: 'diet', counts: r.counts.diet, images: r.images.diet },
        { name: 'train', counts: r.counts.train, images: r.images.train },
        { name: 'val', counts: r.counts.val, images: r.images.val },
      ],
      names,
    ),
  );
  const placed = Object.entries(r.links).filter(([, n]) => n > 0).map(([m, n]) => `${n} ${m}`);
  lines.push(`image files placed: ${placed.join(', ') || 'none'}`);
  if (r.issues.total > 0) lines.push(`bad records (${r.issues.total}):`, r.issues.format());
  else lines.push('bad records: none');
  return lines.join('\n');
}
