import { decodeCheckpoint, loadWeightsInto, modelFromCheckpoint } from './checkpoint.js';
import { YoloModel } from './model.js';
import type { ResolvedSpec } from './spec.js';
import { loadTorchModel } from './torch-import.js';

export interface LoadModelFileOptions {
  /** Spec to build (required for plain PyTorch state_dicts; otherwise the file's own spec is used). */
  spec?: ResolvedSpec;
  /** For PyTorch checkpoints: which entry to read when both exist (default 'ema', as the original's attempt_load). */
  prefer?: 'ema' | 'model';
  /** Where the warning about unexpected globals in a `.pt` goes (default console.warn). */
  warn?: (message: string) => void;
}

/** A PyTorch `.pt` is a zip archive (`PK`); anything else is taken for a Vigil checkpoint. */
export const isTorchZip = (bytes: Uint8Array): boolean => bytes[0] === 0x50 && bytes[1] === 0x4b;

/**
 * Builds a model from the bytes of any weights file `--weights` accepts: a Vigil checkpoint (`.vckpt`) or a PyTorch
 * YOLOv5 `.pt` (state_dict or full checkpoint, a zip), told apart by content, not by name. `source` names the file in
 * errors. No file access: the browser entry uses it on fetched bytes.
 */
export function loadModelBytes(bytes: Uint8Array, source: string, options: LoadModelFileOptions = {}): { model: YoloModel; kind: 'vigil' | 'pytorch' } {
  if (isTorchZip(bytes)) {
    const r = loadTorchModel(bytes, { ...options, source });
    return { model: r.model, kind: 'pytorch' };
  }
  const ck = decodeCheckpoint(bytes, source);
  if (!options.spec) return { model: modelFromCheckpoint(ck, source), kind: 'vigil' };
  const model = YoloModel.create(options.spec, { init: 'zeros' });
  try {
    if (ck.fused) model.fuse();
    loadWeightsInto(model, ck, { source });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, kind: 'vigil' };
}
