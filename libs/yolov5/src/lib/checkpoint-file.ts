import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointData, type StorageDtype } from './checkpoint.js';

// The file side of checkpoints (Node only); the format itself is in checkpoint.ts, which the browser entry uses too.

/** Writes `bytes` to `path` atomically: a temp file in the same folder, fsync, then rename over the target. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    let off = 0;
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
