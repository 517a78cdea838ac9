import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointFromModel, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, loadWeightsInto, modelFromCheckpoint, saveCheckpoint } from './checkpoint.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';
import { YoloModel } from './model.js';
import { tinyP6Spec } from './testing.js';
import { loadModelFile } from './weights-file.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dir = mkdtempSync(join(tmpdir(), 'vigil ckpt '));
const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('checkpoints', () => {
  it('fp32 save → load is bit-exact (weights, spec, names, anchors, strides, training state); model rebuilt', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 3, names: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] });
    m.anchors[0]![0] = [2.5, 3.25]; // as after autoanchor
    const path = join(dir, 'last.vckpt');
    const training = { state: { epoch: 4, rng: [1, 2, 3, 4], best: 0.5 }, tensors: new Map([['opt.momentum.model.0.conv.conv.weight', { shape: [2, 3], data: Float32Array.from([1e-30, -0, 3.4e38, 1 / 3, NaN, -2]) }]]) };
    saveCheckpoint(path, checkpointFromModel(m, { training, meta: { epoch: 4 } }));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const ck = loadCheckpoint(path);
    expect(ck.dtype).toBe('float32');
    expect(ck.names).toEqual(m.names);
    expect(ck.strides).toEqual([8, 16, 32, 64]);
    expect(ck.anchors[0]![0]).toEqual([2.5, 3.25]);
    expect(ck.training!.state).toEqual(training.state);
    expect(bytesOf(ck.training!.tensors!.get('opt.momentum.model.0.conv.conv.weight')!.data).equals(bytesOf(training.tensors.get('opt.momentum.model.0.conv.conv.weight')!.data))).toBe(true);
    expect(ck.meta).toEqual({ epoch: 4 });
    const w = m.getWeights();
    expect([...ck.weights.keys()]).toEqual([...w.keys()]);
    for (const [k, t] of w) expect(bytesOf(ck.weights.get(k)!.data).equals(bytesOf(t.data))).toBe(true);
    const m2 = modelFromCheckpoint(ck, path);
    for (const [k, t] of m2.getWeights()) expect(bytesOf(t.data).equals(bytesOf(w.get(k)!.data))).toBe(true);
    expect(m2.anchors).toEqual(m.anchors);
    expect(m2.names).toEqual(m.names);
    // Saving the loaded checkpoint again gives the same bytes.
    expect(Buffer.from(encodeCheckpoint(ck)).equals(readFileSync(path))).toBe(true);
    const viaFile = loadModelFile(path);
    expect(viaFile.kind).toBe('vigil');
    viaFile.model.dispose();
    m.dispose();
    m2.dispose();
  });

  it('fp16 storage rounds to nearest-even half and round-trips bit-exactly from there', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 4 });
    const data = checkpointFromModel(m);
    const a = encodeCheckpoint(data, { dtype: 'float16' });
    expect(a.byteLength).toBeLessThan(encodeCheckpoint(data).byteLength * 0.6);
    const ck = decodeCheckpoint(a, 'x.vckpt');
    expect(ck.dtype).toBe('float16');
    const w = data.weights.get('model.2.cv1.conv.weight')!.data;
    const h = ck.weights.get('model.2.cv1.conv.weight')!.data;
    for (let i = 0; i < w.length; i++) expect(h[i]).toBe(float16ToFloat32(float32ToFloat16(w[i]!)));
    expect(Buffer.from(encodeCheckpoint(ck, { dtype: 'float16' })).equals(Buffer.from(a))).toBe(true);
    m.dispose();
  });

  it('float16 conversion matches IEEE (rounding, subnormals, overflow)', () => {
    expect(float32ToFloat16(1)).toBe(0x3c00);
    expect(float32ToFloat16(-2)).toBe(0xc000);
    expect(float32ToFloat16(65504)).toBe(0x7bff);
    expect(float32ToFloat16(65520)).toBe(0x7c00);
    expect(float32ToFloat16(2 ** -24)).toBe(1);
    expect(float32ToFloat16(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(float32ToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16ToFloat32(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(Number.isNaN(float16ToFloat32(float32ToFloat16(NaN)))).toBe(true);
  });

  it('truncated, damaged and foreign files give clear errors', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 5 });
    const good = encodeCheckpoint(checkpointFromModel(m));
    m.dispose();
    expect(() => decodeCheckpoint(good.subarray(0, good.length - 100), 'cut.vckpt')).toThrow(/cut\.vckpt: truncated checkpoint: \d+ bytes, expected \d+/);
    expect(() => decodeCheckpoint(good.subarray(0, 40), 'cut.vckpt')).toThrow(/cut\.vckpt: truncated checkpoint \(header incomplete\)/);
    const bad = good.slice();
    bad[bad.length - 200]! ^= 0xff;
    expect(() => decodeCheckpoint(bad, 'bad.vckpt')).toThrow(/bad\.vckpt: damaged checkpoint: data checksum mismatch/);
    expect(() => decodeCheckpoint(Buffer.from('{"hello": 1}'), 'x.json')).toThrow(/x\.json: not a Vigil checkpoint \(bad magic\)/);
    const pt = readFileSync(fileURLToPath(new URL('./fixtures/tiny-p6.state_dict.pt', import.meta.url)));
    expect(() => decodeCheckpoint(pt, 'w.pt')).toThrow(/w\.pt: this is a PyTorch \.pt file, not a Vigil checkpoint/);
    const p = join(dir, 'cut.vckpt');
    writeFileSync(p, good.subarray(0, 1000));
    expect(() => loadModelFile(p)).toThrow(/truncated checkpoint/);
    expect(() => loadCheckpoint(join(dir, 'missing.vckpt'))).toThrow(/cannot be read \(ENOENT\)/);
    expect(() => saveCheckpoint(join(dir, 'no such dir', 'a.vckpt'), decodeCheckpoint(good))).toThrow(/cannot write .*no such dir.*ENOENT/);
  });

  it('class-count mismatch: strict load is a clear error; intersect loads the rest and reports what it skipped', () => {
    const m7 = YoloModel.create(tinyP6Spec(7), { seed: 6 });
    const ck = decodeCheckpoint(encodeCheckpoint(checkpointFromModel(m7)), 'seven.vckpt');
    const m3 = YoloModel.create(tinyP6Spec(3), { seed: 7 });
    expect(() => loadWeightsInto(m3, ck, { source: 'seven.vckpt' })).toThrow(/seven\.vckpt has 7 classes \(0, 1, 2, 3, 4, 5, 6\) but the model has nc=3/);
    const detectBefore = m3.getWeights().get('model.33.m.0.bias')!.data;
    const r = loadWeightsInto(m3, ck, { mode: 'intersect', source: 'seven.vckpt' });
    expect(r.skipped.map((s) => s.name).sort()).toEqual(['model.33.m.0.bias', 'model.33.m.0.weight', 'model.33.m.1.bias', 'model.33.m.1.weight', 'model.33.m.2.bias', 'model.33.m.2.weight', 'model.33.m.3.bias', 'model.33.m.3.weight']);
    expect(r.skipped[0]).toMatchObject({ reason: 'shape mismatch' });
    expect(r.skipped.find((s) => s.name === 'model.33.m.0.weight')!.detail).toBe('checkpoint [1,1,16,36] vs model [1,1,16,24]');
    const w3 = m3.getWeights();
    expect(bytesOf(w3.get('model.5.conv.weight')!.data).equals(bytesOf(ck.weights.get('model.5.conv.weight')!.data))).toBe(true);
    expect(w3.get('model.33.m.0.bias')!.data).toEqual(detectBefore);
    const ex = loadWeightsInto(m3, ck, { mode: 'intersect', exclude: ['model.0.'] });
    expect(ex.skipped.filter((s) => s.reason === 'excluded').length).toBe(5);
    m7.dispose();
    m3.dispose();
  });

  it('header checksum: a changed header byte is detected; files of the first layout (VIGILCK1, no header CRC) still load', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 8 });
    const v2 = encodeCheckpoint(checkpointFromModel(m));
    expect(new TextDecoder().decode(v2.subarray(0, 8))).toBe('VIGILCK2');
    const len = new DataView(v2.buffer).getUint32(8, true);
    const flipped = v2.slice();
    flipped[12 + 40]! ^= 0x01; // inside the JSON: still parseable or not, the checksum tells
    expect(() => decodeCheckpoint(flipped, 'h.vckpt')).toThrow(/^h\.vckpt: damaged checkpoint: header checksum mismatch$/);
    // the first layout: magic VIGILCK1, version 1, data right after the JSON (8-aligned)
    const header = JSON.parse(new TextDecoder().decode(v2.subarray(12, 12 + len))) as Record<string, unknown>;
    const json = new TextEncoder().encode(JSON.stringify({ ...header, version: 1 }));
    const data = v2.subarray((12 + len + 4 + 7) & ~7);
    const start = (12 + json.length + 7) & ~7;
    const v1 = new Uint8Array(start + data.length);
    v1.set(new TextEncoder().encode('VIGILCK1'));
    new DataView(v1.buffer).setUint32(8, json.length, true);
    v1.set(json, 12);
    v1.set(data, start);
    const ck = decodeCheckpoint(v1, 'old.vckpt');
    const w = m.getWeights();
    for (const [k, t] of w) expect(bytesOf(ck.weights.get(k)!.data).equals(bytesOf(t.data))).toBe(true);
    modelFromCheckpoint(ck, 'old.vckpt').dispose();
    // a v1 magic with a v2 header (or the reverse) is damage, not a version to read
    const mixed = v1.slice();
    mixed.set(new TextEncoder().encode('VIGILCK2'));
    expect(() => decodeCheckpoint(mixed, 'mixed.vckpt')).toThrow(/mixed\.vckpt: damaged checkpoint: header checksum mismatch/);
    m.dispose();
  });
});
