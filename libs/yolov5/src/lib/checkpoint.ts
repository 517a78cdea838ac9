import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { decodeFloat16, encodeFloat16 } from './float16.js';
import { modelElementCount, YoloModel, type WeightTensor } from './model.js';
import { resolveSpec, validateSpecConfig, type ModelSpecConfig, type ResolvedSpec } from './spec.js';

/**
 * Vigil's own checkpoint format (`.vckpt`): one file holding the weights (fp32 or fp16), the spec, class names,
 * anchors (grid units) and strides, and optionally a training-state blob (JSON + float32 tensors, e.g. optimiser
 * moments, EMA weights, RNG state) for resume.
 *
 * Layout (little-endian): magic `VIGILCK2` (8 bytes) · u32 header length · header JSON (UTF-8) · u32 CRC-32 of
 * everything before it (magic, length, JSON) · zero padding to a multiple of 8 · tensor data (each tensor 8-byte
 * aligned) · magic `VCK1END!`. The header lists every tensor (name, shape, dtype, offset, bytes), the data length and
 * its CRC-32, so a truncated or damaged file is detected; every offset, shape and size is checked against the file
 * before anything is allocated. Files of the first layout (`VIGILCK1`: no header CRC) are still read.
 */

const MAGIC = 'VIGILCK2';
const MAGIC_V1 = 'VIGILCK1';
const END = 'VCK1END!';
export const CHECKPOINT_EXTENSION = '.vckpt';

export type StorageDtype = 'float32' | 'float16';

/** Everything a checkpoint holds. */
export interface CheckpointData {
  /** The spec (with the model's nc). */
  spec: ModelSpecConfig;
  names: string[];
  /** Anchors in grid units `[nl][na][2]` (may differ from the spec after autoanchor). */
  anchors: number[][][];
  strides: number[];
  /** Conv+BN folded (inference only). */
  fused: boolean;
  /** Model state (our names and layouts, BN running stats included). */
  weights: Map<string, WeightTensor>;
  /** Training state for resume: any JSON plus float32 tensors (always stored in float32, bit-exact). */
  training?: { state?: unknown; tensors?: Map<string, WeightTensor> };
  /** Free-form metadata (epoch, fitness, source file, …). */
  meta?: Record<string, unknown>;
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: StorageDtype;
  offset: number;
  bytes: number;
}

interface Header {
  format: 'vigil-yolov5-checkpoint';
  version: 1 | 2;
  spec: ModelSpecConfig;
  names: string[];
  anchors: number[][][];
  strides: number[];
  fused: boolean;
  weights: TensorEntry[];
  trainingState?: unknown;
  trainingTensors?: TensorEntry[];
  meta?: Record<string, unknown>;
  dataBytes: number;
  crc32: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zip/zlib). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const align8 = (n: number) => (n + 7) & ~7;

/** Serialises a checkpoint; `dtype` is the storage of the model weights (training tensors stay float32). */
export function encodeCheckpoint(data: CheckpointData, options: { dtype?: StorageDtype } = {}): Uint8Array {
  const dtype = options.dtype ?? 'float32';
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const add = (name: string, t: WeightTensor, dt: StorageDtype): TensorEntry => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`checkpoint tensor ${name}: shape [${t.shape}] does not match ${t.data.length} values`);
    const raw = dt === 'float16' ? encodeFloat16(t.data) : t.data;
    const bytes = new Uint8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const entry = { name, shape: [...t.shape], dtype: dt, offset, bytes: bytes.byteLength };
    chunks.push(bytes);
    const padded = align8(bytes.byteLength);
    if (padded > bytes.byteLength) chunks.push(new Uint8Array(padded - bytes.byteLength));
    offset += padded;
    return entry;
  };
  const weights = [...data.weights].map(([k, t]) => add(k, t, dtype));
  const trainingTensors = data.training?.tensors ? [...data.training.tensors].map(([k, t]) => add(k, t, 'float32')) : undefined;
  const blob = new Uint8Array(offset);
  let p = 0;
  for (const c of chunks) {
    blob.set(c, p);
    p += c.byteLength;
  }
  const header: Header = {
    format: 'vigil-yolov5-checkpoint',
    version: 2,
    spec: data.spec,
    names: data.names,
    anchors: data.anchors,
    strides: data.strides,
    fused: data.fused,
    weights,
    ...(data.training?.state !== undefined ? { trainingState: data.training.state } : {}),
    ...(trainingTensors ? { trainingTensors } : {}),
    ...(data.meta ? { meta: data.meta } : {}),
    dataBytes: blob.byteLength,
    crc32: crc32(blob),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headEnd = 12 + json.byteLength;
  const dataStart = align8(headEnd + 4);
  const out = new Uint8Array(dataStart + blob.byteLength + END.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, json.byteLength, true);
  out.set(json, 12);
  view.setUint32(headEnd, crc32(out.subarray(0, headEnd)), true);
  out.set(blob, dataStart);
  out.set(new TextEncoder().encode(END), dataStart + blob.byteLength);
  return out;
}

const ITEM_BYTES: Record<StorageDtype, number> = { float32: 4, float16: 2 };
const MAX_RANK = 8;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNumberList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Checks the header's structure and its tensor table against the data section (`dataBytes`, already checked against
 * the file size): every entry inside the data, non-overlapping, bytes = elements × item size. Returns a message for
 * the first problem, or undefined.
 */
function headerProblem(h: Header): string | undefined {
  if (!isCount(h.dataBytes) || typeof h.crc32 !== 'number') return 'header lacks its data length / checksum';
  if (!Array.isArray(h.names) || !h.names.every((n) => typeof n === 'string')) return '"names" is not a list of strings';
  if (!Array.isArray(h.anchors) || !h.anchors.every((l) => Array.isArray(l) && l.every((a) => isNumberList(a) && a.length === 2))) return '"anchors" is not a [levels][anchors][2] list';
  if (!isNumberList(h.strides) || typeof h.fused !== 'boolean') return '"strides" / "fused" are malformed';
  if (!Array.isArray(h.weights) || (h.trainingTensors !== undefined && !Array.isArray(h.trainingTensors))) return 'the tensor table is not a list';
  const entries = [...h.weights, ...(h.trainingTensors ?? [])] as unknown[];
  const seen = new Set<string>();
  const spans: [number, number][] = [];
  for (const [i, raw] of entries.entries()) {
    const e = raw as Partial<TensorEntry> | null;
    const what = `tensor #${i}${typeof e?.name === 'string' ? ` (${e.name.slice(0, 80)})` : ''}`;
    if (!e || typeof e !== 'object' || typeof e.name !== 'string' || e.name.length === 0 || e.name.length > 512) return `${what} has no valid name`;
    const isTraining = i >= h.weights.length;
    const key = `${isTraining ? 't' : 'w'}:${e.name}`;
    if (seen.has(key)) return `${what} is listed twice`;
    seen.add(key);
    if (e.dtype !== 'float32' && e.dtype !== 'float16') return `${what} has unknown dtype ${JSON.stringify(e.dtype)}`;
    if (!Array.isArray(e.shape) || e.shape.length > MAX_RANK || !e.shape.every(isCount)) return `${what} has a malformed shape`;
    if (!isCount(e.offset) || !isCount(e.bytes) || e.offset % 4 !== 0) return `${what} has a malformed offset / size`;
    let n = 1;
    for (const d of e.shape) n *= d;
    if (n * ITEM_BYTES[e.dtype] !== e.bytes) return `${what}: shape [${e.shape.join(',')}] does not match its ${e.bytes} bytes`;
    if (e.offset + e.bytes > h.dataBytes) return `${what} lies outside the data section`;
    spans.push([e.offset, e.bytes]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) if (spans[i]![0] < spans[i - 1]![0] + spans[i - 1]![1]) return 'tensors overlap in the data section';
  return undefined;
}

/**
 * Parses a checkpoint; `source` names the file in errors (truncated, damaged, foreign). Throws only
 * {@link VigilUserError}; allocates at most the data section's size (twice for fp16 weights, decoded to float32).
 */
export function decodeCheckpoint(bytes: Uint8Array, source = '<checkpoint>'): CheckpointData & { dtype: StorageDtype } {
  const fail = (what: string): never => {
    throw new VigilUserError(`${source}: ${what}`, source);
  };
  const text = new TextDecoder();
  const magic = bytes.byteLength >= 12 ? text.decode(bytes.subarray(0, 8)) : '';
  if (magic !== MAGIC && magic !== MAGIC_V1) {
    const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
    fail(isZip ? 'this is a PyTorch .pt file, not a Vigil checkpoint; load it with the .pt importer (vigil-predict import)' : 'not a Vigil checkpoint (bad magic); pass a .vckpt written by Vigil');
  }
  const v1 = magic === MAGIC_V1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLen = view.getUint32(8, true);
  const headEnd = 12 + headLen;
  if (headEnd + (v1 ? 0 : 4) > bytes.byteLength) fail('truncated checkpoint (header incomplete); the file was not fully written or copied');
  if (!v1 && view.getUint32(headEnd, true) !== crc32(bytes.subarray(0, headEnd))) fail('damaged checkpoint: header checksum mismatch');
  let header: Header;
  try {
    header = JSON.parse(text.decode(bytes.subarray(12, headEnd))) as Header;
  } catch {
    return fail('damaged checkpoint header (invalid JSON)');
  }
  if (header === null || typeof header !== 'object') fail('damaged checkpoint header (not an object)');
  if (header.format !== 'vigil-yolov5-checkpoint') fail(`unknown checkpoint format "${String(header.format)}"`);
  if (header.version !== (v1 ? 1 : 2)) {
    fail(typeof header.version === 'number' && header.version > 2 ? `checkpoint version ${header.version} is newer than this Vigil supports (2); update Vigil` : `checkpoint version ${String(header.version)} does not match its layout (damaged)`);
  }
  if (!isCount(header.dataBytes)) fail('damaged checkpoint header (data length)');
  const dataStart = align8(headEnd + (v1 ? 0 : 4));
  const expected = dataStart + header.dataBytes + END.length;
  if (bytes.byteLength < expected) fail(`truncated checkpoint: ${bytes.byteLength} bytes, expected ${expected}; the file was not fully written or copied`);
  if (bytes.byteLength > expected) fail(`checkpoint has ${bytes.byteLength - expected} unexpected trailing bytes (damaged)`);
  if (text.decode(bytes.subarray(expected - END.length)) !== END) fail('damaged checkpoint (end marker missing)');
  const problem = headerProblem(header);
  if (problem) fail(`damaged checkpoint header: ${problem}`);
  const blob = bytes.subarray(dataStart, dataStart + header.dataBytes);
  if (crc32(blob) !== header.crc32) fail('damaged checkpoint: data checksum mismatch');
  const read = (e: TensorEntry): WeightTensor => {
    // Copy into a fresh, aligned buffer (a Node Buffer's slice() would share the whole file's memory).
    const raw = new Uint8Array(e.bytes);
    raw.set(blob.subarray(e.offset, e.offset + e.bytes));
    const data = e.dtype === 'float16' ? decodeFloat16(new Uint16Array(raw.buffer)) : new Float32Array(raw.buffer);
    return { shape: [...e.shape], data };
  };
  const spec = validateSpecConfig(header.spec, `${source} (spec)`);
  const weights = new Map(header.weights.map((e) => [e.name, read(e)] as const));
  const dtype: StorageDtype = header.weights.some((e) => e.dtype === 'float16') ? 'float16' : 'float32';
  const out: CheckpointData & { dtype: StorageDtype } = {
    spec,
    names: header.names,
    anchors: header.anchors,
    strides: header.strides,
    fused: header.fused,
    weights,
    dtype,
  };
  if (header.trainingState !== undefined || header.trainingTensors) {
    out.training = {
      ...(header.trainingState !== undefined ? { state: header.trainingState } : {}),
      ...(header.trainingTensors ? { tensors: new Map(header.trainingTensors.map((e) => [e.name, read(e)] as const)) } : {}),
    };
  }
  if (header.meta) out.meta = header.meta;
  return out;
}

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

/** A checkpoint of a model's current state (plus optional training state / metadata). */
export function checkpointFromModel(model: YoloModel, extra: Pick<CheckpointData, 'training' | 'meta'> = {}): CheckpointData {
  return {
    spec: { ...model.spec.config, nc: model.nc },
    names: [...model.names],
    anchors: model.anchors.map((l) => l.map((a) => [...a])),
    strides: [...model.strides],
    fused: model.fused,
    weights: model.getWeights(),
    ...extra,
  };
}

/** One tensor that intersect loading did not take, and why. */
export interface SkippedTensor {
  name: string;
  reason: 'not in model' | 'not in checkpoint' | 'shape mismatch' | 'excluded';
  detail?: string;
}

/**
 * Loads checkpoint tensors into a model.
 * - `strict` (default): every tensor must match by name and shape; a class-count or shape difference is a clear error.
 * - `intersect`: the original's `intersect_dicts` for transfer learning: loads the tensors present in both with equal
 *   shapes (and whose names contain none of `exclude`), and reports everything else as skipped.
 */
export function loadWeightsInto(
  model: YoloModel,
  ckpt: Pick<CheckpointData, 'weights' | 'names' | 'anchors' | 'fused'> & { spec?: ModelSpecConfig },
  options: { mode?: 'strict' | 'intersect'; exclude?: string[]; source?: string; anchors?: boolean } = {},
): { loaded: string[]; skipped: SkippedTensor[] } {
  const source = options.source ?? 'checkpoint';
  const mode = options.mode ?? 'strict';
  if (ckpt.fused !== model.fused) {
    throw new VigilUserError(`${source} is ${ckpt.fused ? 'fused (inference only)' : 'not fused'} but the model is ${model.fused ? 'fused' : 'not fused'}; load unfused weights for training`);
  }
  if (mode === 'strict') {
    const nc = ckpt.spec?.nc ?? ckpt.names.length;
    if (nc !== model.nc) {
      throw new VigilUserError(`${source} has ${nc} classes (${ckpt.names.slice(0, 8).join(', ')}) but the model has nc=${model.nc}; use the checkpoint's class count or load for transfer (intersect)`);
    }
    model.setWeights(ckpt.weights, { source });
    if (options.anchors !== false && ckpt.anchors.length === model.nl) model.anchors = ckpt.anchors.map((l) => l.map((a) => [...a]));
    model.names = [...ckpt.names];
    return { loaded: [...ckpt.weights.keys()], skipped: [] };
  }
  const exclude = options.exclude ?? [];
  const vars = model.variables();
  const take = new Map<string, WeightTensor>();
  const skipped: SkippedTensor[] = [];
  for (const [name, t] of ckpt.weights) {
    const v = vars.get(name);
    if (exclude.some((x) => name.includes(x))) skipped.push({ name, reason: 'excluded' });
    else if (!v) skipped.push({ name, reason: 'not in model' });
    else if (v.shape.length !== t.shape.length || v.shape.some((d, i) => d !== t.shape[i])) skipped.push({ name, reason: 'shape mismatch', detail: `checkpoint [${t.shape}] vs model [${v.shape}]` });
    else take.set(name, t);
  }
  for (const name of vars.keys()) if (!ckpt.weights.has(name)) skipped.push({ name, reason: 'not in checkpoint' });
  model.setWeights(take, { strict: false, source });
  if (options.anchors !== false && !exclude.some((x) => 'anchors'.includes(x)) && ckpt.anchors.length === model.nl && ckpt.anchors.every((l) => l.length === model.na)) {
    model.anchors = ckpt.anchors.map((l) => l.map((a) => [...a]));
  }
  return { loaded: [...take.keys()], skipped };
}

/**
 * A file's weights must hold exactly the values of the model its spec describes (strict loading needs every tensor):
 * checked before the model is allocated, so that a spec naming a huge model in a small file is refused cheaply.
 */
export function checkHoldsModel(spec: ResolvedSpec, ckpt: Pick<CheckpointData, 'weights' | 'fused'>, source: string): void {
  const need = modelElementCount(spec, { fused: ckpt.fused });
  let have = 0;
  for (const t of ckpt.weights.values()) have += t.data.length;
  if (need !== have) {
    throw new VigilUserError(`${source}: its spec describes a model of ${need} values but the file holds ${have} (damaged, or the spec does not belong to these weights)`, source);
  }
}

/** Builds a model from a checkpoint (its own spec and nc), with its weights, anchors and names. */
export function modelFromCheckpoint(ckpt: CheckpointData, source = 'checkpoint'): YoloModel {
  const spec = resolveSpec(ckpt.spec, { source: `${source} (spec)` });
  checkHoldsModel(spec, ckpt, source);
  const model = YoloModel.create(spec, { names: ckpt.names, init: 'zeros' });
  try {
    if (ckpt.fused) model.fuse();
    loadWeightsInto(model, ckpt, { source });
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
