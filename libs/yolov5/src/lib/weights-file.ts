import { readFileSync } from 'node:fs';
import { VigilUserError } from '@vigil/core';
import { loadModelBytes, type LoadModelFileOptions } from './model-bytes.js';
import type { YoloModel } from './model.js';

/** Reads a weights file's bytes; an unreadable file is a user error naming it. */
export function readWeightsFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new VigilUserError(`weights ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
}

/**
 * Loads a model from any weights file `--weights` accepts: a Vigil checkpoint (`.vckpt`) or a PyTorch YOLOv5 `.pt`
 * (state_dict or full checkpoint), told apart by content, not by extension ({@link loadModelBytes}).
 */
export function loadModelFile(path: string, options: LoadModelFileOptions = {}): { model: YoloModel; kind: 'vigil' | 'pytorch' } {
  return loadModelBytes(readWeightsFile(path), path, options);
}
