import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointData, type StorageDtype } from './checkpoint.js';

// The file side of checkpoints (Node only); the format itself is in checkpoint.ts, which the browser entry uses too.

/**
 * Test only: `VIGIL_TEST_KILL_IN_WRITE=<file name>:<n>` makes the n-th atomic write (counted from 1 in this process)
 * of a file with that name SIGKILL its own process half-way through writing the temp file — a kill -9 during a
 * checkpoint write, at a point no outside observer can hit reliably. Unset in normal use.
 */
const KILL_IN_WRITE = process.env['VIGIL_TEST_KILL_IN_WRITE'];
const writesByName = new Map<string, number>();

function killHere(name: string): boolean {
  if (!KILL_IN_WRITE) return false;
  const n = (writesByName.get(name) ?? 0) + 1;
  writesByName.set(name, n);
  return KILL_IN_WRITE === `${name}:${n}`;
}

/**
 * Writes `bytes` to `path` atomically: a temp file in the same folder, fsync, rename over the target, fsync of the
 * folder — so `path` is always either the old or the new complete file, even after a kill or a crash. A kill leaves
 * the temp file (`.<name>.tmp-<pid>-<time>`) behind; the next start removes it (trainer's removeStaleTempFiles).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    let off = 0;
    if (killHere(basename(path))) {
      writeSync(fd, bytes, 0, bytes.byteLength >> 1);
      process.kill(process.pid, 'SIGKILL');
    }
    while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilUserError(`cannot write ${path} (${code ?? (e as Error).message}); check the folder exists and is writable`, path);
  }
  syncDir(dirname(path));
}

/** fsync of a folder, so that a rename in it is durable (not supported everywhere: then skipped). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // e.g. Windows cannot open a folder; the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Saves a checkpoint atomically (temp file + rename). */
export function saveCheckpoint(path: string, data: CheckpointData, options: { dtype?: StorageDtype } = {}): void {
  writeFileAtomic(path, encodeCheckpoint(data, options));
}

/** Reads a checkpoint file. */
export function loadCheckpoint(path: string): CheckpointData & { dtype: StorageDtype } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new VigilUserError(`checkpoint ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
  return decodeCheckpoint(bytes, path);
}
