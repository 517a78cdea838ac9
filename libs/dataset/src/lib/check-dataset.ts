import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { VigilUserError } from '@vigil/core';
import { decodeBmp, isBmp } from './bmp.js';
import { countClasses, formatClassCounts } from './class-counts.js';
import type { DatasetConfig, DatasetSplit } from './dataset-yaml.js';
import { datasetSources } from './dataset-yaml.js';
import { hasImageExtension, imageToLabelPath, IMAGE_FORMATS, listSourceFiles } from './discover.js';
import { parseLabelText } from './label-file.js';
import type { LabelProblemKind } from './label-file.js';
import type { ProgressCallback } from './progress.js';

/** Kinds of dataset problems {@link checkDataset} reports. */
export type DatasetIssueKind =
  | 'unreadable image'
  | 'unsupported format'
  | 'image too small'
  | 'damaged image'
  | 'not an image'
  | `label: ${LabelProblemKind}`
  | 'zero-size box'
  | 'duplicate label row';

/** What happens to each kind of problem (the loader does the same). */
export const DATASET_ISSUE_ACTION: Record<DatasetIssueKind, string> = {
  'unreadable image': 'image skipped',
  'unsupported format': 'image skipped',
  'image too small': 'image skipped (< 10 px)',
  'damaged image': 'kept: decodes in part (e.g. truncated), as the original',
  'not an image': 'file ignored (extension not an image format)',
  'label: columns': 'image skipped',
  'label: non-numeric': 'image skipped',
  'label: negative': 'image skipped',
  'label: out of range': 'image skipped',
  'label: class not integer': 'image skipped',
  'label: class ≥ nc': 'image skipped',
  'zero-size box': 'box dropped',
  'duplicate label row': 'row dropped',
};

/** Count and first examples of one kind of problem. */
export interface IssueCount {
  count: number;
  examples: string[];
}

/** The check of one split. */
export interface SplitCheck {
  split: string;
  sources: string[];
  /** Image files found (by extension). */
  images: number;
  /** Images the loader will use (labelled + background). */
  usable: number;
  /** Usable images with at least one box. */
  labelled: number;
  /** Usable images without boxes: no label file (`missingLabels`) or an empty one (`emptyLabels`). Not errors. */
  background: number;
  missingLabels: number;
  emptyLabels: number;
  /** Boxes kept. */
  boxes: number;
  /** Boxes per class id (length nc). */
  classCounts: number[];
  /** Images the loader must skip (pass as `exclude` to `YoloDataset.open`). */
  skippedFiles: string[];
  issues: Partial<Record<DatasetIssueKind, IssueCount>>;
}

/** Images with identical bytes. */
export interface DuplicateImageGroup {
  /** SHA-1 of the file content. */
  hash: string;
  files: { split: string; file: string }[];
  /** True when the copies are in different splits (e.g. train and val: validation leaks into training). */
  acrossSplits: boolean;
}

/** Result of {@link checkDataset}; {@link formatDatasetReport} prints it. */
export interface DatasetReport {
  file: string;
  nc: number;
  names: string[];
  splits: SplitCheck[];
  duplicateImages: DuplicateImageGroup[];
  /** Images skipped over all splits (0 = clean, apart from warnings). */
  skipped: number;
}

/** Options of {@link checkDataset}. */
export interface CheckDatasetOptions {
  /** Number of classes to check ids against (default: the config's). */
  nc?: number;
  /** Splits to check (default: those the config names). */
  splits?: readonly DatasetSplit[];
  /** Files decoded at once (default 4: decoding uses libvips threads too). */
  concurrency?: number;
  /** Examples kept per kind (default 5). */
  maxExamples?: number;
  onProgress?: ProgressCallback;
}

const FORMATS = new Set<string>(IMAGE_FORMATS.map((f) => (f === 'jpg' ? 'jpeg' : f === 'tif' ? 'tiff' : f)));

type ImageVerdict = { ok: true; damaged: boolean } | { ok: false; kind: DatasetIssueKind; message: string };

/** Decodes the whole image (header checks miss damaged data): BMP by our decoder, the rest by libvips. */
async function checkImage(bytes: Buffer): Promise<ImageVerdict> {
  if (isBmp(bytes)) {
    try {
      const b = decodeBmp(bytes);
      if (b.width < 10 || b.height < 10) return { ok: false, kind: 'image too small', message: `${b.width}×${b.height}` };
      return { ok: true, damaged: false };
    } catch (e) {
      return { ok: false, kind: 'unreadable image', message: (e as Error).message };
    }
  }
  const decode = async (failOn: 'truncated' | 'none') => {
    const img = sharp(bytes, { failOn });
    const m = await img.metadata();
    if (!FORMATS.has(String(m.format))) return { ok: false as const, kind: 'unsupported format' as const, message: `${m.format} content` };
    const w = m.width ?? 0;
    const h = m.height ?? 0;
    if (w < 10 || h < 10) return { ok: false as const, kind: 'image too small' as const, message: `${w}×${h}` };
    await img.raw().toBuffer();
    return undefined;
  };
  try {
    return (await decode('truncated')) ?? { ok: true, damaged: false };
  } catch (e) {
    // A damaged file that still decodes in part (a truncated JPEG, a bad scan) is kept, as the loader and the original
    // (cv2.imread) do; libvips' messages are not reliable enough to tell the cases apart, so any failure is retried.
    try {
      return (await decode('none')) ?? { ok: true, damaged: true };
    } catch {
      /* fall through */
    }
    // Content libvips does not recognise at all (e.g. text, a half-written file) is unreadable, not a format choice.
    return { ok: false, kind: 'unreadable image', message: (e as Error).message.split('\n')[0]! };
  }
}

/**
 * Checks a dataset before training and reports every problem at once (the loader would otherwise find them one by one,
 * or not at all): each image is decoded in full (corrupt, damaged, unsupported or tiny images), each label file parsed
 * by the loader's rules (`parseLabelText`: column count, non-numeric values, values outside [0,1], fractional class
 * ids, class ids ≥ nc → image skipped; zero-size boxes and exact duplicate rows → dropped and counted), missing or
 * empty label files counted as background images (not errors), identical image files grouped (within and across
 * splits), non-image files in the image folders counted. Never throws for bad data; throws a user error only when the
 * config names a path that does not exist or a split without any image.
 */
export async function checkDataset(config: DatasetConfig, options: CheckDatasetOptions = {}): Promise<DatasetReport> {
  const nc = options.nc ?? config.nc;
  if (!Number.isInteger(nc) || nc < 1) throw new VigilUserError(`nc must be a whole number ≥ 1, got ${nc}`);
  const maxExamples = options.maxExamples ?? 5;
  const splits = options.splits ?? (['train', 'val', 'test'] as const).filter((s) => config[s]);
  const limit = pLimit(options.concurrency ?? 4);
  const byHash = new Map<string, { split: string; file: string }[]>();
  const report: DatasetReport = { file: config.file, nc, names: config.names, splits: [], duplicateImages: [], skipped: 0 };

  for (const split of splits) {
    const sources = await datasetSources(config, split);
    const all = await listSourceFiles(sources);
    const images = all.filter(hasImageExtension).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (images.length === 0) {
      throw new VigilUserError(`${config.file}: '${split}:' (${sources.join(', ')}) holds no images (formats: ${IMAGE_FORMATS.join(' ')})`, config.file);
    }
    const s: SplitCheck = {
      split,
      sources,
      images: images.length,
      usable: 0,
      labelled: 0,
      background: 0,
      missingLabels: 0,
      emptyLabels: 0,
      boxes: 0,
      classCounts: new Array<number>(nc).fill(0),
      skippedFiles: [],
      issues: {},
    };
    const add = (kind: DatasetIssueKind, example: string, n = 1) => {
      const e = (s.issues[kind] ??= { count: 0, examples: [] });
      e.count += n;
      if (e.examples.length < maxExamples && !e.examples.includes(example)) e.examples.push(example);
    };
    for (const f of all) if (!hasImageExtension(f) && !/\.(txt|json|cache)$/i.test(f)) add('not an image', f);
    let done = 0;
    const results = await Promise.all(
      images.map((file) =>
        limit(async () => {
          const r = await checkOne(file, nc);
          options.onProgress?.({ phase: `check ${split}`, done: ++done, total: images.length });
          return r;
        }),
      ),
    );
    const classes: number[][] = [];
    results.forEach((r, i) => {
      const file = images[i]!;
      if (r.hash) {
        let g = byHash.get(r.hash);
        if (!g) byHash.set(r.hash, (g = []));
        g.push({ split, file });
      }
      if (r.image && !r.image.ok) {
        add(r.image.kind, `${file}: ${r.image.message}`);
        s.skippedFiles.push(file);
        return;
      }
      if (r.image?.damaged) add('damaged image', file);
      const l = r.labels;
      if (l?.problem) {
        add(`label: ${l.problem.kind}`, `${r.labelFile}: ${l.problem.message}`);
        s.skippedFiles.push(file);
        return;
      }
      s.usable++;
      if (!l) {
        s.missingLabels++;
        s.background++;
        return;
      }
      if (l.zeroSize) add('zero-size box', r.labelFile, l.zeroSize);
      if (l.duplicates) add('duplicate label row', r.labelFile, l.duplicates);
      const n = l.labels.length / 5;
      if (n === 0) {
        if (l.rows === 0) s.emptyLabels++;
        s.background++;
        return;
      }
      s.labelled++;
      s.boxes += n;
      classes.push(l.labels.filter((_, k) => k % 5 === 0));
    });
    s.classCounts = countClasses(classes, nc);
    report.skipped += s.skippedFiles.length;
    report.splits.push(s);
  }
  for (const [hash, files] of byHash) {
    if (files.length < 2) continue;
    report.duplicateImages.push({ hash, files, acrossSplits: new Set(files.map((f) => f.split)).size > 1 });
  }
  return report;
}

async function checkOne(file: string, nc: number) {
  const labelFile = imageToLabelPath(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return { labelFile, image: { ok: false as const, kind: 'unreadable image' as const, message: (e as Error).message } };
  }
  const hash = createHash('sha1').update(bytes).digest('hex');
  const image = await checkImage(bytes);
  if (!image.ok) return { labelFile, hash, image };
  let text: string;
  try {
    text = await readFile(labelFile, 'utf8');
  } catch {
    return { labelFile, hash, image };
  }
  return { labelFile, hash, image, labels: parseLabelText(text, nc) };
}

/**
 * The report as text: a table per split (images, usable, labelled, background, boxes, skipped), the boxes per class,
 * each problem with its count, what is done about it and examples, and the duplicate images. E.g.
 * ```
 * Dataset check: /data/pets.yaml (nc=2: cat, dog)
 * split   images  usable  labelled  background (no file/empty)  boxes  skipped
 * train      300     298       280             18 (15/3)           512        2
 * …
 * ```
 */
export function formatDatasetReport(report: DatasetReport): string {
  const lines: string[] = [];
  const shown = report.names.length <= 12 ? report.names.join(', ') : `${report.names.slice(0, 12).join(', ')}, …`;
  lines.push(`Dataset check: ${report.file} (nc=${report.nc}: ${shown})`);
  const head = ['split', 'images', 'usable', 'labelled', 'background (no file/empty)', 'boxes', 'skipped'];
  const rows = report.splits.map((s) => [
    s.split,
    String(s.images),
    String(s.usable),
    String(s.labelled),
    `${s.background} (${s.missingLabels}/${s.emptyLabels})`,
    String(s.boxes),
    String(s.skippedFiles.length),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  lines.push(fmt(head), ...rows.map(fmt), '');
  if (report.splits.length > 0) {
    const names = Array.from({ length: report.nc }, (_, i) => report.names[i] ?? `class${i}`);
    lines.push(formatClassCounts(report.splits.map((s) => ({ name: s.split, counts: s.classCounts, images: s.usable })), names), '');
    for (const s of report.splits) {
      for (let c = 0; c < report.nc; c++) {
        if (s.split === 'train' && s.classCounts[c] === 0 && s.boxes > 0) lines.push(`note: class ${c} (${names[c]}) has no boxes in train`);
      }
    }
  }
  const problems: string[] = [];
  for (const s of report.splits) {
    for (const [kind, v] of Object.entries(s.issues) as [DatasetIssueKind, IssueCount][]) {
      problems.push(`  ${s.split}: ${kind}: ${v.count} (${DATASET_ISSUE_ACTION[kind]})`);
      for (const ex of v.examples) problems.push(`      ${ex}`);
    }
  }
  if (problems.length > 0) lines.push('Problems:', ...problems);
  if (report.duplicateImages.length > 0) {
    const across = report.duplicateImages.filter((g) => g.acrossSplits).length;
    const extra = report.duplicateImages.reduce((a, g) => a + g.files.length - 1, 0);
    lines.push(
      `Duplicate images (identical files, kept): ${report.duplicateImages.length} groups, ${extra} extra copies` +
        (across ? `, ${across} groups across splits (the same image in two splits inflates validation scores)` : ''),
    );
    for (const g of report.duplicateImages.slice(0, 5)) lines.push(`      ${g.files.map((f) => `${f.split}:${f.file}`).join(' = ')}`);
  }
  lines.push(
    report.skipped === 0 && problems.length === 0
      ? 'OK: no problems found.'
      : report.skipped === 0
        ? 'OK: nothing skipped (see the notes above).'
        : `${report.skipped} image${report.skipped > 1 ? 's' : ''} will be skipped; everything else is used.`,
  );
  return lines.join('\n');
}
