import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Rng, VigilUserError } from '@vigil/core';
import { unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointFromModel, crc32, decodeCheckpoint, encodeCheckpoint, modelFromCheckpoint } from './checkpoint.js';
import { YoloModel } from './model.js';
import { resolveSpec, type ModelSpecConfig } from './spec.js';
import { loadTorchModel, readTorchCheckpoint, torchStateToWeights } from './torch-import.js';

/**
 * Fuzz test of the `.vckpt` and `.pt` readers (seeded): random truncations, bit flips anywhere and in the headers,
 * crafted headers (re-checksummed so that they reach the validation) and crafted pickles. Every case must end in a
 * load or a VigilUserError (the readers' documented error type), and allocate at most 4× the file's size.
 */

const fx = (f: string) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));

/** A minimal spec (three convs and a one-level Detect) so that thousands of cases run in seconds. */
const MINI: ModelSpecConfig = {
  nc: 2,
  depth_multiple: 1,
  width_multiple: 1,
  anchors: [[10, 13, 16, 30, 33, 23]],
  backbone: [
    [-1, 1, 'Conv', [8, 3, 2]],
    [-1, 1, 'Conv', [16, 3, 2]],
    [-1, 1, 'C3', [16]],
  ],
  head: [[[2], 1, 'Detect', ['nc', 'anchors']]],
};

interface Outcome {
  ok: boolean;
  /** growth of ArrayBuffer memory while the result is held */
  allocated: number;
}

/** Runs one case: returns whether it loaded; fails the test on any error that is not a VigilUserError. */
function attempt(label: string, fileSize: number, run: () => unknown): Outcome {
  const before = process.memoryUsage().arrayBuffers;
  let ok = false;
  let held: unknown;
  try {
    held = run();
    ok = true;
  } catch (e) {
    if (!(e instanceof VigilUserError)) throw new Error(`${label}: ${(e as Error).name}: ${(e as Error).message}`);
    expect((e as Error).message.split('\n')).toHaveLength(1);
  }
  const allocated = process.memoryUsage().arrayBuffers - before;
  if (allocated > 4 * fileSize + 65536) throw new Error(`${label}: allocated ${allocated} bytes for a ${fileSize}-byte file`);
  void held;
  return { ok, allocated };
}

function flipBits(rng: Rng, bytes: Uint8Array, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(bytes); // a copy (Buffer.slice would be a view)
  const n = 1 + rng.int(8);
  for (let k = 0; k < n; k++) {
    const i = lo + rng.int(Math.max(1, Math.min(hi, out.length) - lo));
    out[i]! ^= 1 << rng.int(8);
  }
  return out;
}

/** Damage common to both formats: kind 0 = a random truncation, 1 = 1–8 bit flips anywhere; `range` = flips there. */
function damage(rng: Rng, base: Uint8Array, kind: number, range?: [number, number]): { bytes: Uint8Array; label: string } {
  if (kind === 0) {
    const n = rng.int(base.length);
    return { bytes: base.subarray(0, n), label: `truncated to ${n}` };
  }
  return { bytes: flipBits(rng, base, range?.[0] ?? 0, range?.[1] ?? base.length), label: range ? 'bit flips in the header' : 'bit flips' };
}

/** The JSON header of a v2 checkpoint, and a re-encoder that writes valid header and data checksums. */
function headerOf(bytes: Uint8Array): Record<string, unknown> {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len))) as Record<string, unknown>;
}
function withHeader(bytes: Uint8Array, header: Record<string, unknown>): Uint8Array {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const oldStart = (12 + len + 4 + 7) & ~7;
  const data = bytes.subarray(oldStart);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (12 + json.length + 4 + 7) & ~7;
  const out = new Uint8Array(start + data.length);
  out.set(bytes.subarray(0, 8));
  const v = new DataView(out.buffer);
  v.setUint32(8, json.length, true);
  out.set(json, 12);
  v.setUint32(12 + json.length, crc32(out.subarray(0, 12 + json.length)), true);
  out.set(data, start);
  return out;
}

const EVIL: unknown[] = [1e9, -1, 2 ** 53, 1e308, 0.5, 0, 'x', null, true, [], {}, [1e9, 1e9], [-1], [[1e9]], { a: 1 }, 4e9];

/** Sets a random field of a checkpoint header (or of its spec / tensor table) to a hostile value. */
function craftHeader(rng: Rng, h: Record<string, unknown>): string {
  const pick = <T,>(a: readonly T[]): T => a[rng.int(a.length)]!;
  const evil = () => structuredClone(pick(EVIL));
  const weights = h['weights'] as Record<string, unknown>[];
  const spec = h['spec'] as Record<string, unknown>;
  const what = rng.int(10);
  if (what <= 3) {
    const e = pick(weights);
    const key = pick(['shape', 'offset', 'bytes', 'dtype', 'name']);
    // a consistent but huge shape, or any hostile value
    if (key === 'shape' && rng.chance(0.5)) {
      e['shape'] = [1e5, 1e5];
      e['bytes'] = 4e10;
    } else e[key] = evil();
    return `weights.${key}`;
  }
  if (what <= 6) {
    const key = pick(['width_multiple', 'depth_multiple', 'nc', 'anchors', 'backbone', 'head', 'ch']);
    if (key === 'width_multiple' || key === 'depth_multiple') spec[key] = pick([1e4, 64, 1e-9, -1, 8]);
    else if (key === 'backbone') (spec['backbone'] as unknown[][])[rng.int(3)]![3] = pick([[1e6, 3, 2], [8, 1e6], [8, 3, 2, 1e6], 'x', [16, false, 1, 1e9]]);
    else spec[key] = evil();
    return `spec.${key}`;
  }
  const key = pick(['dataBytes', 'names', 'anchors', 'strides', 'fused', 'version', 'format', 'trainingTensors', 'crc32']);
  h[key] = key === 'trainingTensors' ? [{ ...weights[0], name: 't' }, { ...weights[0], name: 't2' }] : evil();
  return key;
}

// ---- a tiny pickle writer for crafted .pt files -------------------------------------------------------------------
const enc = new TextEncoder();
class Pickle {
  private parts: number[] = [0x80, 2];
  op(...b: number[]): this {
    this.parts.push(...b);
    return this;
  }
  str(s: string): this {
    const b = enc.encode(s);
    return this.op(0x58, b.length & 255, (b.length >> 8) & 255, (b.length >> 16) & 255, b.length >>> 24, ...b);
  }
  int(n: number): this {
    if (Number.isInteger(n) && n >= 0 && n < 2 ** 31) return this.op(0x4a, n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
    let v = BigInt(n);
    const b: number[] = [];
    for (let i = 0; i < 8; i++, v >>= 8n) b.push(Number(v & 255n));
    return this.op(0x8a, 8, ...b);
  }
  global(mod: string, name: string): this {
    return this.op(0x63, ...enc.encode(`${mod}\n${name}\n`));
  }
  mark(): this {
    return this.op(0x28);
  }
  tuple(): this {
    return this.op(0x74);
  }
  /** `_rebuild_tensor_v2(storage('0', numel), offset, shape, stride, False, OrderedDict())` */
  tensor(numel: number, offset: number, shape: number[], stride: number[]): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(numel).tuple().op(0x51);
    this.int(offset).mark();
    for (const d of shape) this.int(d);
    this.tuple().mark();
    for (const d of stride) this.int(d);
    this.tuple().op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52).tuple().op(0x52);
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from([...this.parts, 0x2e]);
  }
}
const ptZip = (pkl: Uint8Array, storage = new Uint8Array(16)) => zipSync({ 'archive/data.pkl': [pkl, { level: 0 }], 'archive/data/0': [storage, { level: 0 }] });
const stateDict = (body: (p: Pickle) => void) => {
  const p = new Pickle().op(0x7d).mark().str('model.0.conv.weight');
  body(p);
  return p.op(0x75).bytes();
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('reader fuzz (seeded)', () => {
  it('.vckpt: 1,200 truncated, bit-flipped and crafted files end in a load or a VigilUserError, ≤ 4× file size', () => {
    const model = YoloModel.create(resolveSpec(MINI), { seed: 1 });
    const files = [encodeCheckpoint(checkpointFromModel(model)), encodeCheckpoint(checkpointFromModel(model, { training: { state: { epoch: 1 }, tensors: new Map([['m', { shape: [3], data: new Float32Array(3) }]]) } }), { dtype: 'float16' })];
    model.dispose();
    const rng = new Rng(14);
    const counts = { cases: 0, loaded: 0, models: 0 };
    const tensorsBefore = tf.memory().numTensors;
    for (let i = 0; i < 1200; i++) {
      const base = files[i % 2]!;
      const kind = i % 4;
      let bytes: Uint8Array;
      let label: string;
      if (kind < 3) {
        ({ bytes, label } = damage(rng, base, kind === 0 ? 0 : 1, kind === 2 ? [0, 16 + new DataView(base.buffer, base.byteOffset).getUint32(8, true)] : undefined));
      } else {
        const h = headerOf(base);
        label = `crafted ${craftHeader(rng, h)}`;
        bytes = withHeader(base, h);
      }
      counts.cases++;
      const r = attempt(`case ${i} (${label})`, bytes.length, () => {
        const ck = decodeCheckpoint(bytes, 'fuzz.vckpt');
        counts.loaded++;
        modelFromCheckpoint(ck, 'fuzz.vckpt').dispose();
        counts.models++;
        return ck;
      });
      void r;
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(counts.cases).toBe(1200);
    // some cases reach the model (crafted fields the reader ignores, e.g. a name), most are refused
    expect(counts.loaded).toBeGreaterThan(0);
    expect(counts.models).toBeLessThan(1200);
  });

  /** Cases on one .pt file: truncations, bit flips anywhere, bit flips in its pickle, truncated pickles (re-zipped). */
  function fuzzPt(file: string, cases: number, seed: number, build: boolean): { loaded: number; models: number } {
    const base = new Uint8Array(readFileSync(fx(file)));
    const entries = unzipSync(base);
    const pklName = Object.keys(entries).find((k) => k.endsWith('data.pkl'))!;
    const pkl = entries[pklName]!;
    const rng = new Rng(seed);
    const counts = { loaded: 0, models: 0 };
    const tensorsBefore = tf.memory().numTensors;
    for (let i = 0; i < cases; i++) {
      let bytes: Uint8Array;
      let label: string;
      const kind = i % 4;
      if (kind < 2) ({ bytes, label } = damage(rng, base, kind));
      else {
        // a valid zip (fresh CRCs) around a damaged pickle: bit flips or a truncation
        const z: Record<string, [Uint8Array, { level: 0 }]> = {};
        const bad = kind === 2 ? flipBits(rng, pkl, 0, pkl.length) : pkl.subarray(0, rng.int(pkl.length));
        for (const [k, v] of Object.entries(entries)) z[k] = [k === pklName ? bad : v, { level: 0 }];
        bytes = zipSync(z);
        label = kind === 2 ? 'pickle bit flips' : 'pickle truncated';
      }
      attempt(`${file} case ${i} (${label})`, bytes.length, () => {
        const w = torchStateToWeights(readTorchCheckpoint(bytes, { source: 'fuzz.pt', warn: () => undefined }));
        counts.loaded++;
        if (build) {
          loadTorchModel(bytes, { source: 'fuzz.pt', warn: () => undefined }).model.dispose();
          counts.models++;
        }
        return w;
      });
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    return counts;
  }

  it(".pt: 1,000 damaged copies of a checkpoint torch wrote (today's train.py format, minimal model), models built", () => {
    const r = fuzzPt('fuzz-mini.ckpt.pt', 1000, 15, true);
    expect(r.loaded).toBeGreaterThan(0);
    expect(r.models).toBeGreaterThan(0);
  });

  it('.pt: 200 damaged copies of the tiny P6 state_dict', () => {
    expect(fuzzPt('tiny-p6.state_dict.pt', 200, 16, false).loaded).toBeGreaterThan(0);
  });

  it('.pt: crafted files are refused before allocating (CRC, huge shapes, strides, storages, zip sizes, integers, lists)', () => {
    const refuse = (label: string, bytes: Uint8Array, pattern: RegExp) => {
      let message = '';
      attempt(label, bytes.length, () => {
        try {
          return torchStateToWeights(readTorchCheckpoint(bytes, { source: 'evil.pt', warn: () => undefined }));
        } catch (e) {
          message = (e as Error).message;
          throw e;
        }
      });
      expect(message, label).toMatch(pattern);
    };
    // one flipped bit in a storage of a real checkpoint: its zip CRC-32 tells
    const mini = new Uint8Array(readFileSync(fx('fuzz-mini.ckpt.pt')));
    const ents = unzipSync(mini);
    const key = Object.keys(ents).find((k) => /\/data\/\d+$/.test(k) && ents[k]!.length >= 64)!;
    const at = Buffer.from(mini).indexOf(Buffer.from(ents[key]!.subarray(0, 32)));
    const flipped = mini.slice();
    flipped[at + 5]! ^= 0x10;
    refuse('a flipped bit in a storage', flipped, /^evil\.pt: zip entry .*data\/\d+ fails its CRC-32 check \(damaged file\)/);
    refuse('shape [1e9, 1e9]', ptZip(stateDict((p) => p.tensor(4, 0, [1e9, 1e9], [1e9, 1]))), /evil\.pt: tensor of shape \[1000000000,1000000000\] needs .* elements but its storage data\/0 holds 4/);
    refuse('stride 0 expansion', ptZip(stateDict((p) => p.tensor(4, 0, [1e8], [0]))), /needs 100000000 elements but its storage data\/0 holds 4/);
    refuse('offset past the storage', ptZip(stateDict((p) => p.tensor(4, 3, [2], [1]))), /needs 5 elements but its storage data\/0 holds 4/);
    refuse('storage numel beyond its data', ptZip(stateDict((p) => p.tensor(1e9, 0, [2], [1]))), /storage data\/0 is shorter than its 1000000000 elements/);
    refuse('negative shape', ptZip(stateDict((p) => p.tensor(4, 0, [-2], [1]))), /malformed shape or stride/);
    const big = new Pickle().op(0x8b, 0xd0, 0x07, 0, 0, ...new Array<number>(2000).fill(1)).bytes();
    refuse('2,000-byte integer', ptZip(big), /integer of 2000 bytes .* too large/);
    // a zip whose central directory declares a 2 GB deflated entry
    const z = zipSync({ 'archive/data.pkl': [stateDict((p) => p.tensor(4, 0, [2], [1])), { level: 6 }] });
    const cd = z.findIndex((_, i) => z[i] === 0x50 && z[i + 1] === 0x4b && z[i + 2] === 0x01 && z[i + 3] === 0x02);
    new DataView(z.buffer).setUint32(cd + 24, 0x7fffffff, true);
    refuse('zip entry declaring 2 GB', z, /the zip entries declare 2147483647 bytes, more than the file could hold/);
    // 300,000 APPENDS items (spreading them into push() would overflow the stack)
    const list = new Pickle().op(0x5d).mark();
    for (let i = 0; i < 300_000; i++) list.op(0x4b, 1);
    refuse('300k-item list', ptZip(list.op(0x65).bytes()), /no YOLOv5 weights found/);
  });

  it('.pt: a module that contains itself and foreign globals (posix.system) are read as data; the globals are named', () => {
    // {'model': obj} where obj = models.yolo.Model with state {'_modules': {'x': obj}}, and an os.system "call"
    const p = new Pickle().op(0x7d).mark().str('model');
    p.global('models.yolo', 'Model').op(0x29, 0x81, 0x71, 0).op(0x7d).mark().str('_modules').op(0x7d).mark().str('x').op(0x68, 0).op(0x75).op(0x75).op(0x62);
    p.str('hook').global('posix', 'system').mark().str('echo pwned').tuple().op(0x52);
    p.str('eval').global('builtins', 'eval').mark().str('1').tuple().op(0x52);
    const warnings: string[] = [];
    const ck = readTorchCheckpoint(ptZip(p.op(0x75).bytes()), { source: 'evil.pt', warn: (m) => warnings.push(m) });
    expect(ck.tensors.size).toBe(0);
    expect(ck.foreignGlobals).toEqual(['posix.system', 'builtins.eval']);
    expect(warnings).toEqual([expect.stringMatching(/^warning: evil\.pt refers to posix\.system, builtins\.eval, which a YOLOv5 checkpoint has no reason to; nothing was executed/)]);
    // a real checkpoint names none
    expect(readTorchCheckpoint(fx('tiny-p6.ckpt-fp16.pt'), { warn: (m) => warnings.push(m) }).foreignGlobals).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
