import { readFileSync } from 'node:fs';
import { VigilUserError } from '@vigil/core';
import { decodeCheckpoint, modelFromCheckpoint, loadWeightsInto } from './checkpoint.js';
import { YoloModel } from './model.js';
import type { ResolvedSpec } from './spec.js';
import { loadTorchModel } from './torch-import.js';

export interface LoadModelFileOptions {
  /** Spec to build (required for plain PyTorch state_dicts; otherwise the file's own spec is used). */
  spec?: ResolvedSpec;
  /** For PyTorch checkpoints: which entry to read when both exist (default 'ema', as the original's attempt_load). */
  prefer?: 'ema' | 'model';
}

/**
 * Loads a model from any weights file `--weights` accepts: a Vigil checkpoint (`.vckpt`) or a PyTorch YOLOv5 `.pt`
 * (state_dict or full checkpoint), told apart by content, not by extension.
 */
export function loadModelFile(path: string, options: LoadModelFileOptions = {}): { model: YoloModel; kind: 'vigil' | 'pytorch' } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new VigilUserError(`weights ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const r = loadTorchModel(bytes, { ...options, source: path });
    return { model: r.model, kind: 'pytorch' };
  }
  const ck = decodeCheckpoint(bytes, path);
  if (!options.spec) return { model: modelFromCheckpoint(ck, path), kind: 'vigil' };
  const model = YoloModel.create(options.spec, { init: 'zeros' });
  try {
    if (ck.fused) model.fuse();
    loadWeightsInto(model, ck, { source: path });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, kind: 'vigil' };
}
