import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { VigilUserError } from '@vigil/core';

/** The splits a dataset YAML may name. */
export type DatasetSplit = 'train' | 'val' | 'test';

/**
 * A YOLOv5 dataset YAML, resolved: each split is a list of absolute paths, each an images folder or a `.txt` list of
 * image paths (what {@link listImageFiles} and `YoloDataset.open` take).
 */
export interface DatasetConfig {
  /** Absolute path of the YAML file (or a label such as `<inline>` for {@link parseDatasetYaml} text). */
  file: string;
  /** Folder that relative split paths were resolved against: `path:` when given (itself relative to the YAML's folder), else the YAML's folder. */
  root: string;
  train?: string[];
  val?: string[];
  test?: string[];
  nc: number;
  /** Class names, index = class id. */
  names: string[];
}

const SPLITS: readonly DatasetSplit[] = ['train', 'val', 'test'];

/**
 * Parses the text of a YOLOv5 dataset YAML (`data/coco128.yaml` style; SPEC Decision: relative paths resolve against
 * the YAML's folder, not the current directory or the yolov5 checkout as upstream):
 * - `path:` optional dataset root (upstream's later key); relative → against the YAML's folder;
 * - `train:`, `val:`, `test:` each a folder, a `.txt` list of images, or a list of those; relative → against the root;
 *   at least one is required;
 * - `names:` a list, or a map `{0: person, 1: bicycle}` (upstream's newer form) whose keys must be 0…n−1;
 * - `nc:` optional when `names` is given (must then equal its length); without `names`, classes are `class0…`
 *   (upstream's fallback).
 * Other keys (`download`, …) are ignored. Errors are {@link VigilUserError}s naming the file and the key.
 * `file` is the YAML's path (used for messages and the folder relative paths start from).
 */
export function parseDatasetYaml(text: string, file: string): DatasetConfig {
  const where = (key: string) => `${file}: '${key}:'`;
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new VigilUserError(`${file} is not valid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`, file);
  }
  const data = doc.toJS() as unknown;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new VigilUserError(`${file} must be a mapping with train/val/test, nc and names keys (see YOLOv5's data/coco128.yaml)`, file);
  }
  const d = data as Record<string, unknown>;
  const yamlDir = dirname(resolve(file));
  let root = yamlDir;
  if (d['path'] !== undefined && d['path'] !== null && d['path'] !== '') {
    if (typeof d['path'] !== 'string') throw new VigilUserError(`${where('path')} must be a folder path, got ${JSON.stringify(d['path'])}`, file);
    root = isAbsolute(d['path']) ? resolve(d['path']) : resolve(yamlDir, d['path']);
  }
  const config: DatasetConfig = { file, root, nc: 0, names: [] };
  for (const split of SPLITS) {
    const v = d[split];
    if (v === undefined || v === null || v === '') continue;
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
    if (!list || list.length === 0 || !list.every((x) => typeof x === 'string' && x !== '')) {
      throw new VigilUserError(`${where(split)} must be an images folder, a .txt list of images, or a list of those; got ${JSON.stringify(v)}`, file);
    }
    config[split] = (list as string[]).map((p) => (isAbsolute(p) ? resolve(p) : resolve(root, p)));
  }
  if (!SPLITS.some((s) => config[s])) throw new VigilUserError(`${file} names no images: give at least 'train:' and 'val:' (folders or .txt lists)`, file);

  const rawNames = d['names'];
  const rawNc = d['nc'];
  let names: string[] | undefined;
  if (rawNames !== undefined && rawNames !== null) {
    if (Array.isArray(rawNames)) {
      names = rawNames.map((n, i) => {
        if (typeof n !== 'string' && typeof n !== 'number') throw new VigilUserError(`${where('names')} entry ${i} must be a name, got ${JSON.stringify(n)}`, file);
        return String(n);
      });
    } else if (typeof rawNames === 'object') {
      const entries = Object.entries(rawNames as Record<string, unknown>);
      names = new Array<string>(entries.length);
      for (const [k, n] of entries) {
        const id = Number(k);
        if (!Number.isInteger(id) || id < 0 || id >= entries.length || String(id) !== k.trim()) {
          throw new VigilUserError(`${where('names')} keys must be the class ids 0…${entries.length - 1} (e.g. "0: person"), got '${k}'`, file);
        }
        if (typeof n !== 'string' && typeof n !== 'number') throw new VigilUserError(`${where('names')} entry ${k} must be a name, got ${JSON.stringify(n)}`, file);
        names[id] = String(n);
      }
    } else throw new VigilUserError(`${where('names')} must be a list of class names or a map {0: name, 1: name}, got ${JSON.stringify(rawNames)}`, file);
    if (names.length === 0) throw new VigilUserError(`${where('names')} is empty: list the class names`, file);
  }
  if (rawNc !== undefined && rawNc !== null) {
    if (typeof rawNc !== 'number' || !Number.isInteger(rawNc) || rawNc < 1) {
      throw new VigilUserError(`${where('nc')} must be a whole number ≥ 1, got ${JSON.stringify(rawNc)}`, file);
    }
    if (names && names.length !== rawNc) {
      throw new VigilUserError(`${file}: 'nc: ${rawNc}' but 'names:' has ${names.length} entries; make them agree (or drop nc)`, file);
    }
  }
  if (!names) {
    if (rawNc === undefined || rawNc === null) throw new VigilUserError(`${file} has neither 'names:' nor 'nc:': list the class names`, file);
    names = Array.from({ length: rawNc as number }, (_, i) => `class${i}`);
  }
  config.names = names;
  config.nc = names.length;
  return config;
}

/** Reads and parses a dataset YAML file ({@link parseDatasetYaml}); a missing file is a user error. */
export async function loadDatasetYaml(file: string): Promise<DatasetConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new VigilUserError(`cannot read dataset YAML ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, file);
  }
  return parseDatasetYaml(text, resolve(file));
}

/** A drive letter (`C:\…`, `D:/…`) or a backslash in a path that did not resolve: written on Windows. */
const looksWindows = (p: string) => process.platform !== 'win32' && (/(^|[\\/])[A-Za-z]:[\\/]/.test(p) || p.includes('\\'));

/**
 * The sources of one split, checked to exist (what `YoloDataset.open` takes). Throws a user error naming the YAML and
 * key when the split is not in the YAML or a path does not exist.
 */
export async function datasetSources(config: DatasetConfig, split: DatasetSplit): Promise<string[]> {
  const sources = config[split];
  if (!sources) throw new VigilUserError(`${config.file} has no '${split}:' key: add the ${split} images folder or .txt list`, config.file);
  const missing: string[] = [];
  for (const s of sources) if (!(await stat(s).catch(() => undefined))) missing.push(s);
  if (missing.length > 0) {
    const windows = missing.some(looksWindows)
      ? `; this looks like a Windows path (as Roboflow exports write them): use paths relative to the YAML's folder, e.g. 'train: train/images'`
      : '';
    throw new VigilUserError(
      `${config.file}: '${split}:' path${missing.length > 1 ? 's' : ''} not found: ${missing.join(', ')} (relative paths resolve against ${config.root})${windows}`,
      config.file,
    );
  }
  return sources;
}
