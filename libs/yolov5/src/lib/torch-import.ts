import { readFileSync } from 'node:fs';
import { VigilUserError } from '@vigil/core';
import { unzipSync } from 'fflate';
import { PickleError, PyGlobal, PyObject, pyToJs, unpickle } from './pickle.js';
import { validateSpecConfig, resolveSpec, type ModelSpecConfig, type ResolvedSpec } from './spec.js';
import { modelElementCount, YoloModel, type WeightTensor } from './model.js';
import { crc32 } from './checkpoint.js';
import { decodeFloat16, float16ToFloat32 } from './float16.js';

/**
 * Reads PyTorch `.pt` files (torch.save's zip container, torch ≥ 1.6) without Python: the zip (fflate), the pickle
 * stream (our tolerant unpickler: unknown classes become plain objects, nothing is executed) and the tensor storages
 * (`<archive>/data/<key>`, little-endian). Handles plain state_dicts and the original's full checkpoints
 * `{'model' | 'ema': <models.yolo.Model>, 'epoch', …}` in fp32 or fp16, and today's ultralytics/yolov5 layout
 * (`DetectionModel`, SPPF, names as a dict). Hardened for untrusted files: zip entry sizes, storage sizes and every
 * tensor's shape/stride/offset are checked before anything is allocated, every entry against its zip CRC-32 (at most
 * about twice the file size is
 * allocated, fp16 weights decoded to float32 included), globals outside {@link isExpectedGlobal} are reported (they are
 * never executed), and every failure is a {@link VigilUserError}.
 */

type TorchDtype = 'float32' | 'float16' | 'float64' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

const STORAGE_DTYPES: Record<string, TorchDtype> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  DoubleStorage: 'float64',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};
const ITEM_SIZE: Record<TorchDtype, number> = { float32: 4, float16: 2, float64: 8, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

/** A storage: the raw little-endian bytes of one `data/<key>` zip entry. */
export interface TorchStorage {
  dtype: TorchDtype;
  key: string;
  bytes: Uint8Array;
}

/** A tensor view into a storage. */
export interface TorchTensor {
  storage: TorchStorage;
  offset: number;
  shape: number[];
  stride: number[];
}

/** A tensor's values as float32 in row-major (C) order, whatever its storage dtype and strides. */
export function torchTensorToFloat32(t: TorchTensor): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const { dtype, bytes } = t.storage;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = ITEM_SIZE[dtype];
  const read = (i: number): number => {
    const o = i * size;
    switch (dtype) {
      case 'float32':
        return dv.getFloat32(o, true);
      case 'float16':
        return float16ToFloat32(dv.getUint16(o, true));
      case 'bfloat16':
        return new Float32Array(new Uint32Array([dv.getUint16(o, true) << 16]).buffer)[0]!;
      case 'float64':
        return dv.getFloat64(o, true);
      case 'int64':
        return Number(dv.getBigInt64(o, true));
      case 'int32':
        return dv.getInt32(o, true);
      case 'int16':
        return dv.getInt16(o, true);
      case 'int8':
        return dv.getInt8(o);
      default:
        return dv.getUint8(o);
    }
  };
  const rank = t.shape.length;
  let contiguous = true;
  for (let k = rank - 1, st = 1; k >= 0; k--) {
    if (t.shape[k]! > 1 && t.stride[k] !== st) contiguous = false;
    st *= t.shape[k]!;
  }
  if (contiguous && (t.offset + n) * size <= bytes.byteLength) {
    const start = bytes.byteOffset + t.offset * size;
    if (dtype === 'float32') return new Float32Array(bytes.buffer.slice(start, start + n * 4));
    if (dtype === 'float16') return decodeFloat16(new Uint16Array(bytes.buffer.slice(start, start + n * 2)));
  }
  let last = t.offset;
  for (let k = 0; k < rank; k++) last += (t.shape[k]! - 1) * t.stride[k]!;
  if (n > 0 && (t.offset < 0 || last >= bytes.byteLength / size)) throw new VigilUserError(`tensor data out of range of its storage ${t.storage.key} (truncated file?)`);
  // Typed views of the storage where it is aligned (unzipped entries are), else DataView reads.
  const aligned = bytes.byteOffset % size === 0;
  const f32 = dtype === 'float32' && aligned ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : undefined;
  const f16 = dtype === 'float16' && aligned ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2) : undefined;
  const out = new Float32Array(n);
  const idx = new Array<number>(rank).fill(0);
  // strided gather: `src` follows the index odometer (+stride on a step, −(shape−1)·stride on a wrap)
  let src = t.offset;
  for (let i = 0; i < n; i++) {
    out[i] = f32 ? f32[src]! : f16 ? float16ToFloat32(f16[src]!) : read(src);
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < t.shape[k]!) {
        src += t.stride[k]!;
        break;
      }
      idx[k] = 0;
      src -= (t.shape[k]! - 1) * t.stride[k]!;
    }
  }
  return out;
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks a rebuilt tensor against its storage: a message for the first problem, or undefined. */
function tensorProblem(storage: unknown, offset: unknown, shape: unknown, stride: unknown): string | undefined {
  if (!storage || typeof storage !== 'object' || !('bytes' in storage) || !('dtype' in storage)) return 'a tensor without a storage';
  const st = storage as TorchStorage;
  if (!isIndex(offset) || !Array.isArray(shape) || !Array.isArray(stride) || shape.length !== stride.length || shape.length > 8) return `a malformed tensor in storage data/${st.key}`;
  if (!shape.every(isIndex) || !stride.every(isIndex)) return `a tensor with a malformed shape or stride in storage data/${st.key}`;
  const elements = Math.floor(st.bytes.byteLength / ITEM_SIZE[st.dtype]);
  let n = 1;
  let last = offset;
  for (let k = 0; k < shape.length; k++) {
    n *= shape[k]!;
    last += (shape[k]! - 1) * stride[k]!;
  }
  if (n === 0) return undefined;
  if (n > elements || last >= elements) return `tensor of shape [${shape.join(',')}] needs ${n > elements ? n : last + 1} elements but its storage data/${st.key} holds ${elements} (truncated or crafted file)`;
  return undefined;
}

/** Globals a YOLOv5 checkpoint's pickle may name: torch, the YOLOv5 code's own classes and plain containers. */
export function isExpectedGlobal(g: PyGlobal): boolean {
  const m = g.module;
  if (m === 'torch' || m.startsWith('torch.') || m === 'collections' || m === '_codecs' || m === 'copyreg' || m === 'copy_reg') return true;
  if (m === 'models' || m.startsWith('models.') || m === 'utils' || m.startsWith('utils.') || m.startsWith('ultralytics.')) return true;
  if (m === 'numpy' || m === 'numpy.core.multiarray' || m === 'numpy._core.multiarray') return ['dtype', 'ndarray', '_reconstruct', 'scalar'].includes(g.name);
  if (m === 'pathlib') return /^(Pure)?(Posix|Windows)?Path$/.test(g.name);
  if (m === 'argparse') return g.name === 'Namespace';
  if (m === 'builtins' || m === '__builtin__') return ['set', 'frozenset', 'dict', 'list', 'tuple', 'object', 'slice', 'bytearray', 'int', 'float', 'str', 'bool', 'complex'].includes(g.name);
  return false;
}

function isTensor(v: unknown): v is TorchTensor {
  return typeof v === 'object' && v !== null && 'storage' in v && 'shape' in v && 'stride' in v;
}

/**
 * The CRC-32 of every entry in a zip's central directory (zip64 included), by name; the entries fflate reads are
 * checked against them, as PyTorch's reader does. A malformed directory gives what could be read (fflate reports it).
 */
function zipEntryCrcs(bytes: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number) => (o + 4 <= bytes.length ? dv.getUint32(o, true) : -1);
  const u16 = (o: number) => (o + 2 <= bytes.length ? dv.getUint16(o, true) : -1);
  const u64 = (o: number) => (o + 8 <= bytes.length ? Number(dv.getBigUint64(o, true)) : -1);
  let e = bytes.length - 22;
  while (e >= 0 && e >= bytes.length - 65558 && u32(e) !== 0x06054b50) e--;
  if (e < 0 || u32(e) !== 0x06054b50) return out;
  let count = u16(e + 10);
  let at = u32(e + 16);
  if (e >= 20 && u32(e - 20) === 0x07064b50) {
    const z = u64(e - 12);
    if (z >= 0 && u32(z) === 0x06064b50) {
      count = u64(z + 32);
      at = u64(z + 48);
    }
  }
  const dec = new TextDecoder();
  for (let i = 0; i < count && at >= 0 && u32(at) === 0x02014b50; i++) {
    const nameLen = u16(at + 28);
    if (at + 46 + nameLen > bytes.length) break;
    out.set(dec.decode(bytes.subarray(at + 46, at + 46 + nameLen)), u32(at + 16));
    at += 46 + nameLen + u16(at + 30) + u16(at + 32);
  }
  return out;
}

/**
 * Reads the pickle root of a torch.save zip file. `source` names the file in errors; `onGlobal` sees every global the
 * pickle names.
 */
export function readTorchPickle(bytes: Uint8Array, source = '<.pt>', onGlobal?: (g: PyGlobal) => void): unknown {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip) {
    if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5) {
      throw new VigilUserError(`${source}: a legacy (torch < 1.6) .pt file; re-save it with torch ≥ 1.6 (torch.save(torch.load(f), f)) and try again`, source);
    }
    throw new VigilUserError(`${source}: not a PyTorch .pt file (no zip container); pass a file written by torch.save`, source);
  }
  let entries: Record<string, Uint8Array>;
  // The entries' declared sizes decide what fflate allocates: only the pickle and the storages are extracted, and
  // together they may not exceed twice the file (torch stores them uncompressed, so they fit in it once).
  let extracted = 0;
  const wanted = (name: string) => name === 'data.pkl' || name.endsWith('/data.pkl') || /(^|\/)data\/[^/]+$/.test(name);
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        if (!wanted(f.name)) return false;
        extracted += f.compression === 0 ? f.size : f.originalSize;
        if (extracted > 2 * bytes.byteLength) throw new VigilUserError(`${source}: the zip entries declare ${extracted} bytes, more than the file could hold (damaged or crafted .pt)`, source);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof VigilUserError) throw e;
    throw new VigilUserError(`${source}: the .pt zip container is damaged or truncated (${(e as Error).message}); re-download or re-save it`, source);
  }
  const crcs = zipEntryCrcs(bytes);
  for (const [name, data] of Object.entries(entries)) {
    const want = crcs.get(name);
    if (want !== undefined && crc32(data) !== want) throw new VigilUserError(`${source}: zip entry ${name} fails its CRC-32 check (damaged file); re-download or re-save it`, source);
  }
  const pkl = Object.keys(entries).find((k) => k === 'data.pkl' || k.endsWith('/data.pkl'));
  if (!pkl) throw new VigilUserError(`${source}: zip file without data.pkl — not a torch.save file`, source);
  const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
  const storages = new Map<string, TorchStorage>();
  try {
    return unpickle(entries[pkl]!, {
      ...(onGlobal ? { onGlobal } : {}),
      persistentLoad: (pid) => {
        if (!Array.isArray(pid) || pid[0] !== 'storage') throw new VigilUserError(`${source}: unsupported persistent id ${JSON.stringify(pyToJs(pid))}`, source);
        const [, type, key, , numel] = pid as [string, unknown, string, string, number];
        const typeName = type instanceof PyGlobal ? type.name : String(type);
        const dtype = STORAGE_DTYPES[typeName];
        if (!dtype) throw new VigilUserError(`${source}: unsupported tensor storage type ${typeName}`, source);
        const cached = storages.get(String(key));
        if (cached) return cached;
        const data = entries[`${prefix}data/${String(key)}`];
        if (!data) throw new VigilUserError(`${source}: storage data/${String(key)} is missing from the zip (truncated file?)`, source);
        if (typeof numel === 'number' && data.byteLength < numel * ITEM_SIZE[dtype]) throw new VigilUserError(`${source}: storage data/${String(key)} is shorter than its ${numel} elements (truncated file?)`, source);
        const s: TorchStorage = { dtype, key: String(key), bytes: data };
        storages.set(s.key, s);
        return s;
      },
      reduce: (fn, args) => {
        switch (fn.qualified) {
          case 'torch._utils._rebuild_tensor_v2':
          case 'torch._utils._rebuild_tensor': {
            const [storage, offset, shape, stride] = args as [TorchStorage, number, number[], number[]];
            const problem = tensorProblem(storage, offset, shape, stride);
            if (problem) throw new VigilUserError(`${source}: ${problem}`, source);
            return { storage, offset, shape: [...shape], stride: [...stride] } satisfies TorchTensor;
          }
          case 'torch._utils._rebuild_parameter':
          case 'torch._utils._rebuild_parameter_with_state':
            return args[0];
          default:
            return undefined;
        }
      },
    });
  } catch (e) {
    if (e instanceof VigilUserError) throw e;
    // PickleError, or a TypeError / RangeError from values of unexpected types in a damaged or crafted pickle
    const what = e instanceof PickleError ? e.message : `malformed: ${(e as Error).message}`;
    throw new VigilUserError(`${source}: cannot read the checkpoint's pickle (${what})`, source);
  }
}

/** What a .pt file holds, reduced to what we use. */
export interface TorchCheckpoint {
  source: string;
  /** Where the weights came from: a plain state_dict, or the checkpoint's 'ema' / 'model' entry. */
  kind: 'state_dict' | 'ema' | 'model';
  /** State dict in PyTorch names and layouts (OIHW conv weights). */
  tensors: Map<string, TorchTensor>;
  /** The model's yaml dict (full checkpoints only). */
  yaml?: ModelSpecConfig;
  names?: string[];
  epoch?: number;
  /** True when the float tensors are stored as fp16. */
  fp16: boolean;
  /** Globals the pickle names that a YOLOv5 checkpoint has no reason to (e.g. `posix.system`); never executed. */
  foreignGlobals: string[];
}

function getState(o: PyObject): Map<unknown, unknown> {
  return o.state instanceof Map ? o.state : new Map();
}

/** The original's `module.state_dict()` of an unpickled nn.Module object. */
function moduleStateDict(mod: PyObject, prefix: string, out: Map<string, TorchTensor>, seen = new Set<PyObject>()): void {
  if (seen.has(mod) || seen.size > 100_000) return; // a module that contains itself (crafted memo references)
  seen.add(mod);
  const st = getState(mod);
  const nonPersistent = st.get('_non_persistent_buffers_set');
  for (const key of ['_parameters', '_buffers']) {
    const m = st.get(key);
    if (!(m instanceof Map)) continue;
    for (const [name, t] of m) {
      if (t === null || !isTensor(t)) continue;
      if (key === '_buffers' && nonPersistent instanceof Set && nonPersistent.has(name)) continue;
      out.set(`${prefix}${String(name)}`, t);
    }
  }
  const children = st.get('_modules');
  if (children instanceof Map) for (const [name, child] of children) if (child instanceof PyObject) moduleStateDict(child, `${prefix}${String(name)}.`, out, seen);
}

/** Class names as the original stores them (a list) or today's ultralytics/yolov5 (a dict {0: 'a', 1: 'b', …}). */
function classNames(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  if (v instanceof Map) {
    const out = Array.from({ length: v.size }, (_, i) => v.get(i));
    return out.every((x) => typeof x === 'string') ? (out as string[]) : undefined;
  }
  return undefined;
}

/** Interprets a .pt file's pickle root: plain state_dict, or a full checkpoint with a Model object. */
export function torchCheckpointFromRoot(root: unknown, source: string, prefer: 'ema' | 'model' = 'ema'): TorchCheckpoint {
  const fromTensors = (m: Map<unknown, unknown>, kind: TorchCheckpoint['kind']): TorchCheckpoint => {
    const tensors = new Map<string, TorchTensor>();
    for (const [k, v] of m) if (isTensor(v)) tensors.set(String(k), v);
    return { source, kind, tensors, fp16: [...tensors.values()].some((t) => t.storage.dtype === 'float16'), foreignGlobals: [] };
  };
  if (root instanceof Map) {
    const values = [...root.values()];
    if (values.length > 0 && values.some(isTensor) && [...root.keys()].some((k) => String(k).startsWith('model.'))) return fromTensors(root, 'state_dict');
    const order = prefer === 'ema' ? ['ema', 'model'] : ['model', 'ema'];
    for (const key of order) {
      const entry = root.get(key);
      if (entry instanceof PyObject) {
        const tensors = new Map<string, TorchTensor>();
        moduleStateDict(entry, '', tensors);
        const st = getState(entry);
        const yamlRaw = st.get('yaml');
        let yaml: ModelSpecConfig | undefined;
        if (yamlRaw instanceof Map) {
          try {
            yaml = validateSpecConfig(pyToJs(yamlRaw), `${source} (embedded yaml)`);
          } catch {
            yaml = undefined;
          }
        }
        const names = classNames(st.get('names'));
        const epoch = root.get('epoch');
        return {
          source,
          kind: key as 'ema' | 'model',
          tensors,
          ...(yaml ? { yaml } : {}),
          ...(names ? { names } : {}),
          ...(typeof epoch === 'number' ? { epoch } : {}),
          fp16: [...tensors.values()].some((t) => t.storage.dtype === 'float16'),
          foreignGlobals: [],
        };
      }
      if (entry instanceof Map) return fromTensors(entry, key as 'ema' | 'model');
    }
    const sd = root.get('state_dict');
    if (sd instanceof Map) return fromTensors(sd, 'state_dict');
  }
  throw new VigilUserError(`${source}: no YOLOv5 weights found (expected a state_dict or a checkpoint with 'model' / 'ema')`, source);
}

/** Reads a .pt file (path or bytes). */
export function readTorchCheckpoint(file: string | Uint8Array, options: { prefer?: 'ema' | 'model'; source?: string; warn?: (message: string) => void } = {}): TorchCheckpoint {
  const source = options.source ?? (typeof file === 'string' ? file : '<.pt>');
  let bytes: Uint8Array;
  if (typeof file === 'string') {
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new VigilUserError(`${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
    }
  } else bytes = file;
  const foreign = new Set<string>();
  const root = readTorchPickle(bytes, source, (g) => {
    if (!isExpectedGlobal(g)) foreign.add(g.qualified);
  });
  const ck = torchCheckpointFromRoot(root, source, options.prefer);
  ck.foreignGlobals = [...foreign];
  if (ck.foreignGlobals.length) {
    const list = ck.foreignGlobals.slice(0, 8).join(', ') + (ck.foreignGlobals.length > 8 ? `, … (${ck.foreignGlobals.length})` : '');
    (options.warn ?? ((m: string) => console.warn(m)))(`warning: ${source} refers to ${list}, which a YOLOv5 checkpoint has no reason to; nothing was executed (read as plain data), but check where the file came from`);
  }
  return ck;
}

/** OIHW → HWIO for conv weights, read straight from the storage through a permuted view (no intermediate copy). */
function oihwToHwio(t: TorchTensor): WeightTensor {
  const [o, i, h, w] = t.shape as [number, number, number, number];
  const [so, si, sh, sw] = t.stride as [number, number, number, number];
  return { shape: [h, w, i, o], data: torchTensorToFloat32({ storage: t.storage, offset: t.offset, shape: [h, w, i, o], stride: [sh, sw, si, so] }) };
}

export interface TorchWeightsResult {
  /** Tensors in our names/layouts. */
  weights: Map<string, WeightTensor>;
  /** Anchors in grid units `[nl][na][2]` from the Detect `anchors` buffer, when present. */
  anchors?: number[][][];
  /** True when the state is fused (conv biases, no BatchNorm). */
  fused: boolean;
  /** PyTorch entries not used (num_batches_tracked, anchor_grid). */
  ignored: string[];
}

/** Converts a PyTorch YOLOv5 state dict to our names and layouts (OIHW → HWIO; `model.N.*` names kept). */
export function torchStateToWeights(ck: TorchCheckpoint): TorchWeightsResult {
  const weights = new Map<string, WeightTensor>();
  const ignored: string[] = [];
  let anchors: number[][][] | undefined;
  let fused = false;
  let hasBn = false;
  for (const [name, t] of ck.tensors) {
    if (name.endsWith('.num_batches_tracked') || name.endsWith('.anchor_grid')) {
      ignored.push(name);
      continue;
    }
    if (/\.anchors$/.test(name)) {
      const data = torchTensorToFloat32(t);
      if (t.shape.length !== 3 || t.shape[2] !== 2) throw new VigilUserError(`${ck.source}: ${name} has shape [${t.shape}], expected [nl, na, 2]`, ck.source);
      const [nl, na] = t.shape as [number, number];
      anchors = Array.from({ length: nl }, (_, l) => Array.from({ length: na }, (_, a) => [data[(l * na + a) * 2]!, data[(l * na + a) * 2 + 1]!]));
      continue;
    }
    if (name.includes('.bn.')) hasBn = true;
    if (/\.conv\.bias$/.test(name)) fused = true;
    weights.set(name, t.shape.length === 4 ? oihwToHwio(t) : { shape: [...t.shape], data: torchTensorToFloat32(t) });
  }
  if (fused && hasBn) fused = false;
  return { weights, ...(anchors ? { anchors } : {}), fused, ignored };
}

export interface LoadTorchOptions {
  /** The spec to build (needed for plain state_dicts; defaults to the checkpoint's embedded yaml). */
  spec?: ResolvedSpec;
  /** nc override when building from the embedded yaml. */
  nc?: number;
  prefer?: 'ema' | 'model';
  /** Names the file in errors when bytes are given. */
  source?: string;
  /** Where the warning about unexpected globals goes (default console.warn). */
  warn?: (message: string) => void;
}

/**
 * Builds a {@link YoloModel} from a `.pt` file: the spec from `options.spec` or the checkpoint's own yaml, then every
 * tensor (strict: a missing, extra or mis-shaped tensor is a user error naming it), the Detect anchors and the class
 * names. A fused checkpoint gives a fused model.
 */
export function loadTorchModel(file: string | Uint8Array, options: LoadTorchOptions = {}): { model: YoloModel; checkpoint: TorchCheckpoint; ignored: string[] } {
  const ck = readTorchCheckpoint(file, { ...(options.prefer ? { prefer: options.prefer } : {}), ...(options.source ? { source: options.source } : {}), ...(options.warn ? { warn: options.warn } : {}) });
  let spec = options.spec;
  if (!spec) {
    if (!ck.yaml) throw new VigilUserError(`${ck.source}: a plain state_dict does not say its architecture; pass --cfg <yaml>`, ck.source);
    spec = resolveSpec(ck.yaml, { source: `${ck.source} (embedded yaml)`, ...(options.nc !== undefined ? { nc: options.nc } : {}) });
    // the file must carry the model its yaml describes: refuse a crafted yaml before allocating its model
    let have = 0;
    for (const [name, t] of ck.tensors) if (!/\.(num_batches_tracked|anchor_grid|anchors)$/.test(name)) have += t.shape.reduce((a, b) => a * b, 1);
    const need = modelElementCount(spec, { fused: ![...ck.tensors.keys()].some((k) => k.includes('.bn.')) });
    if (need > have) throw new VigilUserError(`${ck.source}: its embedded yaml describes a model of ${need} values but the file holds ${have} (damaged, or the yaml does not belong to these weights)`, ck.source);
  }
  const names = ck.names && ck.names.length === spec.nc ? ck.names : undefined;
  const model = YoloModel.create(spec, { init: 'zeros', ...(names ? { names } : {}) });
  try {
    const r = torchStateToWeights(ck);
    if (r.fused) model.fuse();
    model.setWeights(r.weights, { source: ck.source });
    if (r.anchors) {
      if (r.anchors.length !== model.nl || r.anchors.some((l) => l.length !== model.na)) {
        throw new VigilUserError(`${ck.source}: Detect anchors are [${r.anchors.length}, ${r.anchors[0]?.length}] but the model has [${model.nl}, ${model.na}]; check --cfg`, ck.source);
      }
      model.anchors = r.anchors;
    }
    return { model, checkpoint: ck, ignored: r.ignored };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
