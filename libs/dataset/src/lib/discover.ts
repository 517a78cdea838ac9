import { stat } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import fg from 'fast-glob';
import { VigilUserError } from '@vigil/core';

/** Image extensions the loader accepts (the original's `img_formats`). */
export const IMAGE_FORMATS = ['bmp', 'jpg', 'jpeg', 'png', 'tif', 'tiff', 'dng', 'webp', 'mpo'] as const;

/**
 * Label file of an image (SPEC §1; the original's `img2label_paths`): the first `/images/` folder in the path becomes
 * `/labels/` and the extension becomes `.txt`.
 */
export function imageToLabelPath(imagePath: string): string {
  const sa = `${sep}images${sep}`;
  const sb = `${sep}labels${sep}`;
  const swapped = imagePath.replace(sa, sb);
  const dot = swapped.lastIndexOf('.');
  const slash = swapped.lastIndexOf(sep);
  return (dot > slash ? swapped.slice(0, dot) : swapped) + '.txt';
}

/** The folder's files, recursive (as the dataset loader lists a folder). */
async function folderFiles(dir: string): Promise<string[]> {
  const found = await fg('**/*', { cwd: dir, onlyFiles: true, caseSensitiveMatch: false, followSymbolicLinks: true });
  return found.map((f) => resolve(dir, f));
}

/** The paths of a `.txt` list with their line numbers: `./x` and other relative paths resolve against the list's folder. */
async function listFileEntries(list: string): Promise<{ line: number; path: string }[]> {
  const parent = dirname(resolve(list));
  const out: { line: number; path: string }[] = [];
  (await readFile(list, 'utf8')).split(/\r?\n/).forEach((line, k) => {
    const l = line.trim();
    if (l) out.push({ line: k + 1, path: l.startsWith('./') ? join(parent, l.slice(2)) : isAbsolute(l) ? l : resolve(parent, l) });
  });
  return out;
}

/**
 * Every file a data source names, before the extension filter: a directory's files (recursive), an image file itself,
 * a `.txt` list's lines (`./x` and other relative paths resolve against the list's folder). Throws a user error when a
 * source does not exist.
 */
export async function listSourceFiles(sources: string | readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const src of typeof sources === 'string' ? [sources] : sources) {
    const st = await stat(src).catch(() => undefined);
    if (!st) throw new VigilUserError(`${src} does not exist: give an images folder or a .txt list of images`, src);
    if (st.isDirectory()) files.push(...(await folderFiles(src)));
    else if (hasImageExtension(src)) files.push(resolve(src));
    else files.push(...(await listFileEntries(src)).map((e) => e.path));
  }
  return files;
}

/** True when the file name has one of the accepted image extensions ({@link IMAGE_FORMATS}, any case). */
export function hasImageExtension(file: string): boolean {
  return EXTS.has(file.slice(file.lastIndexOf('.') + 1).toLowerCase());
}

const EXTS = new Set<string>(IMAGE_FORMATS);

/** Video extensions a predict source may have (the original's `vid_formats`, plus webm); decoded by ffmpeg. */
export const VIDEO_FORMATS = ['asf', 'avi', 'gif', 'm4v', 'mkv', 'mov', 'mp4', 'mpeg', 'mpg', 'ts', 'webm', 'wmv'] as const;

const VIDEO_EXTS = new Set<string>(VIDEO_FORMATS);

/** True when the file name has one of the video extensions ({@link VIDEO_FORMATS}, any case). */
export function hasVideoExtension(file: string): boolean {
  return VIDEO_EXTS.has(file.slice(file.lastIndexOf('.') + 1).toLowerCase());
}

/** The images and videos that prediction sources name, each list sorted and without repeats. */
export interface MediaFiles {
  images: string[];
  videos: string[];
}

const FORMATS_HINT = `images: ${IMAGE_FORMATS.join(' ')}; videos: ${VIDEO_FORMATS.join(' ')}`;

/**
 * Lists what prediction sources name (detect.py's sources): an image or video file; a folder (its images, recursive,
 * as the dataset loader lists it: videos inside a folder are not taken); a glob pattern (`'clips/*.mp4'`,
 * `'imgs/**\/*.jpg'`, quoted so that we expand it: fast-glob, case-sensitive as the file system) — its images and
 * videos; a `.txt` list, one path per line relative to the list's folder (as a dataset list), each line a file, a
 * folder or a pattern. Everything is checked before any work, and one {@link VigilUserError} line names the first
 * problem: a source that does not exist, a folder, glob or list with nothing to predict, a file of another kind, or a
 * list line naming a missing file (with its line number and how many more are missing — the original stops at a
 * missing list entry too).
 */
export async function listMediaFiles(sources: string | readonly string[]): Promise<MediaFiles> {
  const images = new Set<string>();
  const videos = new Set<string>();
  const take = (files: readonly string[]) => {
    let n = 0;
    for (const f of files) {
      if (hasImageExtension(f)) images.add(f);
      else if (hasVideoExtension(f)) videos.add(f);
      else continue;
      n++;
    }
    return n;
  };
  const expand = async (src: string, list?: { file: string; line: number }): Promise<void> => {
    const where = list ? `${list.file}:${list.line}: ` : '';
    const st = await stat(src).catch(() => undefined);
    if (!st) {
      if (fg.isDynamicPattern(src)) {
        const found = await fg(src, { onlyFiles: true, absolute: true, followSymbolicLinks: true });
        if (take(found) === 0) throw new VigilUserError(`${where}the pattern '${src}' matches no image or video file (${FORMATS_HINT})`, src);
        return;
      }
      throw new VigilUserError(`${where}${src} does not exist: give an image or video file, a folder, a quoted glob pattern or a .txt list`, src);
    }
    if (st.isDirectory()) {
      if (take((await folderFiles(src)).filter(hasImageExtension)) === 0) throw new VigilUserError(`${where}no images found in ${src} (formats: ${IMAGE_FORMATS.join(' ')})`, src);
    } else if (hasImageExtension(src) || hasVideoExtension(src)) take([resolve(src)]);
    else if (!list && src.toLowerCase().endsWith('.txt')) {
      const entries = await listFileEntries(src);
      if (entries.length === 0) throw new VigilUserError(`${src}: the list names no files (one image or video path per line)`, src);
      const exists = await Promise.all(entries.map((e) => fg.isDynamicPattern(e.path) || stat(e.path).then(() => true, () => false)));
      const missing = entries.filter((_, k) => !exists[k]);
      if (missing.length > 0) {
        const more = missing.length > 1 ? ` (and ${missing.length - 1} more missing line${missing.length > 2 ? 's' : ''})` : '';
        throw new VigilUserError(`${src}:${missing[0]!.line}: ${missing[0]!.path} does not exist${more}: fix or drop the line (paths are relative to the list's folder)`, src);
      }
      for (const e of entries) await expand(e.path, { file: src, line: e.line });
    } else throw new VigilUserError(`${where}${src}: not an image, a video, a folder or a .txt list (${FORMATS_HINT})`, src);
  };
  for (const src of typeof sources === 'string' ? [sources] : sources) await expand(src);
  const sorted = (s: Set<string>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { images: sorted(images), videos: sorted(videos) };
}

/**
 * Lists the images of a data source, sorted (the original's LoadImagesAndLabels): a directory is searched
 * recursively; a `.txt` file lists image paths (`./x` relative to the list's folder). Several sources may be given.
 * Throws a user error when a source does not exist or nothing is found.
 */
export async function listImageFiles(sources: string | readonly string[]): Promise<string[]> {
  const images = (await listSourceFiles(sources)).filter(hasImageExtension);
  images.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (images.length === 0) {
    throw new VigilUserError(`no images found in ${String(sources)} (formats: ${IMAGE_FORMATS.join(' ')})`);
  }
  return images;
}
