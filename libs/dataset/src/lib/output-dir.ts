import { closeSync, existsSync, lstatSync, openSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { VigilUserError } from '@vigil/core';

/**
 * Checks that `dir` can hold a command's outputs, before any work: it must be a folder, or not exist yet under a
 * folder (every existing ancestor a folder, not a file), not a dangling symlink, and writable — tested by writing and
 * removing a probe file in it or, when it does not exist yet, in its nearest existing ancestor (where it would be
 * created), the only reliable test (permissions, read-only mounts, root). Nothing is created. Throws a
 * {@link VigilUserError} naming the flag, the path and the reason.
 */
export function checkOutputDir(dir: string, flag: string): void {
  const abs = resolve(dir);
  const fail = (why: string): never => {
    throw new VigilUserError(`${flag} ${dir}: ${why}`, dir);
  };
  let p = abs;
  for (;;) {
    let l;
    try {
      l = lstatSync(p);
    } catch {
      if (p === dirname(p)) fail('no existing folder above it');
      p = dirname(p);
      continue; // does not exist yet: would be created
    }
    const where = p === abs ? 'is' : `${p} is`;
    if (l.isSymbolicLink() && !existsSync(p)) fail(`${where} a dangling symbolic link (to ${readlinkSync(p)}); remove it or point it at a folder`);
    if (!statSync(p).isDirectory()) fail(`${where} a file, not a folder; pick another path`);
    break;
  }
  try {
    const probe = join(p, `.vigil-write-test-${process.pid}`);
    closeSync(openSync(probe, 'w'));
    rmSync(probe, { force: true });
  } catch (e) {
    fail(`cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pick a writable folder`);
  }
}

/** Marker file inside every folder the converter writes (drowsy_face/, drowsy_face_diet/). */
export const PREPARED_MARKER = '.vigil-prepared';

/**
 * Makes sure the converter may replace `dir`: it does not exist, is empty, or holds {@link PREPARED_MARKER} (or, for
 * folders written before the marker existed, the converter's own `prepare_report.json` + `raw_train.json`, or for the
 * diet folder only `images/` and `labels/` next to such a drowsy_face/). Anything else is a user error: the converter
 * never deletes a folder it did not create.
 */
export function checkReplaceable(dir: string, flag: string): void {
  if (!existsSync(dir) && !isDanglingLink(dir)) return;
  if (!lstatSync(dir).isDirectory()) throw new VigilUserError(`${flag}: ${dir} exists and is not a folder written by the converter; move it away or pick another ${flag}`, dir);
  const entries = readdirSync(dir);
  if (entries.length === 0 || entries.includes(PREPARED_MARKER)) return;
  const legacyDataset = (d: string) => existsSync(join(d, 'prepare_report.json')) && existsSync(join(d, 'raw_train.json'));
  if (legacyDataset(dir)) return;
  if (entries.every((e) => e === 'images' || e === 'labels') && legacyDataset(join(dirname(dir), 'drowsy_face'))) return;
  throw new VigilUserError(
    `${flag}: ${dir} was not written by the converter (no ${PREPARED_MARKER} marker) and would be replaced; move it away or pick another ${flag}`,
    dir,
  );
}

/**
 * Removes a converter output folder (allowed by {@link checkReplaceable}): renamed away first, so that a kill half-way
 * through the deletion never leaves a half-deleted folder under its own name (its marker possibly gone first); the
 * leftovers of such a kill (`.<name>.removing-*` beside it) are removed too.
 */
export function removePrepared(dir: string): void {
  const parent = dirname(dir);
  const name = basename(dir);
  if (existsSync(dir)) renameSync(dir, join(parent, `.${name}.removing-${process.pid}-${Date.now().toString(36)}`));
  if (!existsSync(parent)) return;
  for (const e of readdirSync(parent)) if (e.startsWith(`.${name}.removing-`)) rmSync(join(parent, e), { recursive: true, force: true });
}

/** Marks `dir` (just created) as written by the converter. */
export function markPrepared(dir: string): void {
  writeFileSync(join(dir, PREPARED_MARKER), 'written by vigil-train prepare; this folder is replaced on the next preparation\n');
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
