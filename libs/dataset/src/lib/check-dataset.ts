import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import pLimit from 'p-limit';
import fg from 'fast-glob';
import { VigilUserError } from '@vigil/core';
import { countClasses, formatClassCounts } from './class-counts.js';
import type { DatasetConfig, DatasetSplit } from './dataset-yaml.js';
import { datasetSources } from './dataset-yaml.js';
import { hasImageExtension, imageToLabelPath, IMAGE_FORMATS, listSourceFiles } from './discover.js';
import { checkImageBytes, oneLine } from './image-check.js';
import type { ImageCheck, ImageProblemKind } from './image-check.js';
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
  | 'shared label file'
  | 'label without image'
  | 'unreadable label file'
  | `label: ${LabelProblemKind}`
  | 'zero-size box'
  | 'duplicate label row';

/** What happens to each kind of problem (the loader does the same). */
export const DATASET_ISSUE_ACTION: Record<DatasetIssueKind, string> = {
  'unreadable image': 'image skipped',
  'unsupported format': 'image skipped',
  'image too small': 'image skipped (< 10 px)',
  'damaged image': 'image skipped: does not decode in full (truncated or corrupt)',
  'not an image': 'file ignored (extension not an image format)',
  'shared label file': 'both images kept with the same boxes: YOLO names labels by the stem; rename one image and its label',
  'label without image': 'file ignored (no image of that name)',
  'unreadable label file': 'image skipped (its boxes are unknown)',
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
  /** Examples kept per kind (default 20; `skippedFiles` lists every skipped image). */
  maxExamples?: number;
  onProgress?: ProgressCallback;
}

const VERDICT_KIND: Record<ImageProblemKind, DatasetIssueKind> = {
  unreadable: 'unreadable image',
  damaged: 'damaged image',
  unsupported: 'unsupported format',
  'too small': 'image too small',
};

/**
 * Checks a dataset before training and reports every problem at once (the loader would otherwise find them one by one,
 * or not at all): each image is decoded in full (corrupt, damaged, unsupported or tiny images), each label file parsed
 * by the loader's rules (`parseLabelText`: column count, non-numeric values, values outside [0,1], fractional class
 * ids, class ids ≥ nc → image skipped; zero-size boxes and exact duplicate rows → dropped and counted), missing or
 * empty label files counted as background images (not errors), identical image files grouped (within and across
 * splits), non-image files in the image folders counted, images sharing one label file (`a.jpg` / `a.png`) and label
 * files without an image listed. Images that do not decode in full (truncated, header only, corrupt) are skipped with
 * the reason (one line). Never throws for bad data; throws a user error only when the config names a path that does
 * not exist or a split without any image.
 */
export async function checkDataset(config: DatasetConfig, options: CheckDatasetOptions = {}): Promise<DatasetReport> {
  const nc = options.nc ?? config.nc;
  if (!Number.isInteger(nc) || nc < 1) throw new VigilUserError(`nc must be a whole number ≥ 1, got ${nc}`);
  const maxExamples = options.maxExamples ?? 20;
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
    for (const l of await orphanLabels(sources, images)) add('label without image', l);
    // label files read by two images the loader uses (skipped ones do not count)
    const labelOwner = new Map<string, string>();
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
      if (!r.image.ok) {
        add(VERDICT_KIND[r.image.kind], `${file}: ${r.image.reason}`);
        s.skippedFiles.push(file);
        return;
      }
      if (r.labelError) {
        add('unreadable label file', `${r.labelFile}: ${r.labelError}`);
        s.skippedFiles.push(file);
        return;
      }
      const l = r.labels;
      if (l?.problem) {
        add(`label: ${l.problem.kind}`, `${r.labelFile}: ${l.problem.message}`);
        s.skippedFiles.push(file);
        return;
      }
      s.usable++;
      const other = labelOwner.get(r.labelFile);
      if (other === undefined) labelOwner.set(r.labelFile, file);
      else add('shared label file', `${other} and ${file} both read ${r.labelFile}`);
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
    const image: ImageCheck = { ok: false, kind: 'unreadable', reason: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    return { labelFile, image };
  }
  const hash = createHash('sha1').update(bytes).digest('hex');
  const image = await checkImageBytes(bytes);
  if (!image.ok) return { labelFile, hash, image };
  let text: string;
  try {
    text = await readFile(labelFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // no label file = a background image; one that exists but cannot be read (a folder, no permission) is not
    if (code === 'ENOENT') return { labelFile, hash, image };
    return { labelFile, hash, image, labelError: `cannot read the label file (${code ?? oneLine((e as Error).message)})` };
  }
  return { labelFile, hash, image, labels: parseLabelText(text, nc) };
}

/**
 * Label files no image of the split reads: the `.txt` files under the `labels` folder of each images folder source
 * (`…/images/train` → `…/labels/train`) that are not the label of one of `images`.
 */
async function orphanLabels(sources: readonly string[], images: readonly string[]): Promise<string[]> {
  const expected = new Set(images.map(imageToLabelPath));
  const out: string[] = [];
  for (const src of sources) {
    const dir = imageToLabelPath(`${src}${sep}x.jpg`).slice(0, -'x.txt'.length - 1);
    if (dir === src) continue; // no /images/ in the path: labels live next to the images
    const found = await fg('**/*.txt', { cwd: dir, onlyFiles: true, caseSensitiveMatch: false }).catch(() => [] as string[]);
    for (const f of found.sort()) {
      const full = join(dir, f);
      // classes.txt: the class list labelImg and some exporters put next to the labels
      if (!expected.has(full) && f.toLowerCase() !== 'classes.txt') out.push(full);
    }
  }
  return out;
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
