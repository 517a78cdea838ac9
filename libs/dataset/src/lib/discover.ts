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

/**
 * Every file a data source names, before the extension filter: a directory's files (recursive), a `.txt` list's
 * lines (`./x` and other relative paths resolve against the list's folder). Throws a user error when a source does not
 * exist.
 */
export async function listSourceFiles(sources: string | readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const src of typeof sources === 'string' ? [sources] : sources) {
    const st = await stat(src).catch(() => undefined);
    if (!st) throw new VigilUserError(`${src} does not exist: give an images folder or a .txt list of images`, src);
    if (st.isDirectory()) {
      const found = await fg('**/*', { cwd: src, onlyFiles: true, caseSensitiveMatch: false, followSymbolicLinks: true });
      for (const f of found) files.push(resolve(src, f));
    } else {
      const parent = dirname(resolve(src));
      for (const line of (await readFile(src, 'utf8')).trim().split(/\r?\n/)) {
        const l = line.trim();
        if (!l) continue;
        files.push(l.startsWith('./') ? join(parent, l.slice(2)) : isAbsolute(l) ? l : resolve(parent, l));
      }
    }
  }
  return files;
}

/** True when the file name has one of the accepted image extensions ({@link IMAGE_FORMATS}, any case). */
export function hasImageExtension(file: string): boolean {
  return EXTS.has(file.slice(file.lastIndexOf('.') + 1).toLowerCase());
}

const EXTS = new Set<string>(IMAGE_FORMATS);

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
