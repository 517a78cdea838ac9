import { readFileSync } from 'node:fs';
import { VigilUserError } from '@vigil/core';
import { decodeCheckpoint, modelFromCheckpoint, loadWeightsInto, type SkippedTensor } from './checkpoint.js';
import { YoloModel, type WeightTensor } from './model.js';
import type { ModelSpecConfig, ResolvedSpec } from './spec.js';
import { loadTorchModel, readTorchCheckpoint, torchStateToWeights } from './torch-import.js';

export interface LoadModelFileOptions {
  /** Spec to build (required for plain PyTorch state_dicts; otherwise the file's own spec is used). */
  spec?: ResolvedSpec;
  /** For PyTorch checkpoints: which entry to read when both exist (default 'ema', as the original's attempt_load). */
  prefer?: 'ema' | 'model';
  /** Where the warning about unexpected globals in a `.pt` goes (default console.warn). */
  warn?: (message: string) => void;
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new VigilUserError(`weights ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path);
  }
}

const isTorchZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b;

/**
 * Loads a model from any weights file `--weights` accepts: a Vigil checkpoint (`.vckpt`) or a PyTorch YOLOv5 `.pt`
 * (state_dict or full checkpoint), told apart by content, not by extension.
 */
export function loadModelFile(path: string, options: LoadModelFileOptions = {}): { model: YoloModel; kind: 'vigil' | 'pytorch' } {
  const bytes = readBytes(path);
  if (isTorchZip(bytes)) {
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

/** The weights of a `.vckpt` or `.pt`, in our names and layouts, without building a model (for transfer learning). */
export interface WeightsFileContent {
  source: string;
  kind: 'vigil' | 'pytorch';
  weights: Map<string, WeightTensor>;
  /** Class names (empty when the file has none, e.g. a plain state_dict). */
  names: string[];
  /** Anchors in grid units `[nl][na][2]` (empty when the file has none). */
  anchors: number[][][];
  fused: boolean;
  /** The file's own spec (a checkpoint's spec, a `.pt`'s embedded yaml), when it has one. */
  spec?: ModelSpecConfig;
}

/** Reads the weights of any file `--weights` accepts (by content: Vigil checkpoint or PyTorch zip). */
export function readWeightsFile(path: string, options: Pick<LoadModelFileOptions, 'prefer' | 'warn'> = {}): WeightsFileContent {
  const bytes = readBytes(path);
  if (!isTorchZip(bytes)) {
    const ck = decodeCheckpoint(bytes, path);
    return { source: path, kind: 'vigil', weights: ck.weights, names: ck.names, anchors: ck.anchors, fused: ck.fused, spec: ck.spec };
  }
  const ck = readTorchCheckpoint(bytes, { source: path, ...options });
  const r = torchStateToWeights(ck);
  return { source: path, kind: 'pytorch', weights: r.weights, names: ck.names ?? [], anchors: r.anchors ?? [], fused: r.fused, ...(ck.yaml ? { spec: ck.yaml } : {}) };
}

export interface TransferResult {
  /** Tensors copied into the model. */
  loaded: string[];
  /** The model's tensor count (the original's `len(model.state_dict())` without num_batches_tracked). */
  total: number;
  skipped: SkippedTensor[];
  /** Model tensors left at their initialisation because the file's differ in shape (e.g. the Detect head for another nc). */
  reinitialised: string[];
}

/**
 * Transfer learning (the original's `intersect_dicts`): copies every tensor of `file` whose name and shape match the
 * model, leaves the rest (e.g. a Detect head for another class count) at the model's initialisation, and refuses a
 * transfer of fewer than half of the model's tensors (0/M, or the few that unrelated models share by chance), naming
 * why (another architecture or --cfg), instead of silently training from scratch.
 * `anchors`: take the file's anchors too (the original does when no --cfg is given).
 */
export function transferWeights(model: YoloModel, file: WeightsFileContent, options: { anchors?: boolean; modelName?: string } = {}): TransferResult {
  const res = loadWeightsInto(model, { ...file, anchors: file.anchors }, { mode: 'intersect', anchors: options.anchors ?? false, source: file.source });
  const total = model.variableNames().length;
  const mismatched = res.skipped.filter((s) => s.reason === 'shape mismatch');
  // Unrelated models share a few tensors by chance (a BN vector or a 1×1 conv of a common width): fewer than half
  // transferred is training from scratch in all but name (a head for another nc is a handful of tensors).
  if (res.loaded.length < total / 2) {
    const notInModel = res.skipped.filter((s) => s.reason === 'not in model').length;
    const example = mismatched[0];
    const why = [
      mismatched.length ? `${mismatched.length} have another shape (e.g. ${example!.name}: ${example!.detail})` : '',
      notInModel ? `${notInModel} are not in the model (e.g. ${res.skipped.find((s) => s.reason === 'not in model')!.name})` : '',
    ].filter(Boolean);
    const own = file.spec ? ` (the file's own spec: depth_multiple ${file.spec.depth_multiple}, width_multiple ${file.spec.width_multiple}, ${file.spec.backbone.length + file.spec.head.length} rows, nc ${file.spec.nc})` : '';
    throw new VigilUserError(
      `${file.source}: transferred ${res.loaded.length}/${total} tensors into ${options.modelName ?? 'the model'} (nc ${model.nc}), fewer than half: of the file's ${file.weights.size}, ${why.join(', ') || 'none are weights'}; the weights belong to another architecture: pass the --cfg they were trained with${own}`,
      file.source,
    );
  }
  return { loaded: res.loaded, total, skipped: res.skipped, reinitialised: mismatched.map((s) => s.name) };
}
