import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@vigil/core';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { YoloModel } from './model.js';
import { exportOnnx } from './onnx-export.js';
import type { ResolvedSpec } from './spec.js';
import { tinyP5Spec, tinyP6Spec } from './testing.js';

/** A seeded model whose BatchNorms are not the identity (γ, β, running mean and variance random), so fusion is tested. */
function modelWithBn(spec: ResolvedSpec, seed: number): YoloModel {
  const m = YoloModel.create(spec, { seed, names: Array.from({ length: spec.nc }, (_, i) => `class_${i}`) });
  const rng = new Rng(seed + 1);
  const w = m.getWeights();
  for (const [name, t] of w) {
    if (!name.includes('.bn.')) continue;
    for (let i = 0; i < t.data.length; i++) {
      const u = rng.random();
      t.data[i] = name.endsWith('running_var') ? 0.5 + u : name.endsWith('.weight') ? 0.5 + u : (u - 0.5) * 0.4;
    }
  }
  m.setWeights(w);
  return m;
}

/** `[B, H, W, 3]` seeded values in [0, 1]. */
function input(b: number, h: number, w: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: b * h * w * 3 }, () => rng.random());
}

function nhwcToNchw(x: Float32Array, b: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let n = 0; n < b; n++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let c = 0; c < 3; c++) out[((n * 3 + c) * h + y) * w + xx] = x[((n * h + y) * w + xx) * 3 + c]!;
  return out;
}

/** Our decoded rows `[B, N, no]` reordered from (level, y, x, anchor) to upstream's (level, anchor, y, x). */
function ours(m: YoloModel, x: Float32Array, b: number, h: number, w: number): Float32Array {
  const t = tf.tensor4d(x, [b, h, w, 3]);
  const d = m.predict(t);
  const data = d.dataSync() as Float32Array;
  t.dispose();
  d.dispose();
  const { na, no } = m.spec;
  const n = data.length / b / no;
  const out = new Float32Array(data.length);
  for (let i = 0; i < b; i++) {
    let base = 0;
    for (const s of m.strides) {
      const ny = h / s;
      const nx = w / s;
      for (let yy = 0; yy < ny; yy++)
        for (let xx = 0; xx < nx; xx++)
          for (let a = 0; a < na; a++) {
            const from = (i * n + base + (yy * nx + xx) * na + a) * no;
            const to = (i * n + base + (a * ny + yy) * nx + xx) * no;
            out.set(data.subarray(from, from + no), to);
          }
      base += ny * nx * na;
    }
  }
  return out;
}

async function runOnnx(bytes: Uint8Array, x: Float32Array, b: number, h: number, w: number): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const r = await session.run({ images: new ort.Tensor('float32', nhwcToNchw(x, b, h, w), [b, 3, h, w]) });
    const out = r['output']!;
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

/** Largest |a − b| / max(1, |b|): absolute for probabilities, relative for pixel coordinates. */
function maxError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return e;
}

describe('exportOnnx → onnxruntime-node', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [kind, spec, size] of [['P5', tinyP5Spec(), [96, 128]], ['P6', tinyP6Spec(), [128, 192]]] as const) {
    it(`${kind}: a static graph gives our forward within 1e-4 (output [1, N, 5+nc], class names in the metadata)`, async () => {
      const m = modelWithBn(spec, 3);
      const [h, w] = size;
      const bytes = exportOnnx(m, { imgSize: [h, w] });
      expect(m.fused).toBe(false); // exported from a fused copy
      const x = input(1, h, w, 7);
      const got = await runOnnx(bytes, x, 1, h, w);
      const rows = m.strides.reduce((n, s) => n + (h / s) * (w / s) * m.na, 0);
      expect(got.dims).toEqual([1, rows, 5 + m.nc]);
      expect(maxError(got.data, ours(m, x, 1, h, w))).toBeLessThan(1e-4);
      const proto = onnxProto.onnx.ModelProto.decode(bytes);
      expect(Number(proto.opsetImport[0]!.version)).toBe(13);
      const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
      expect(meta['stride']).toBe(String(Math.max(...m.strides)));
      expect(meta['names']).toBe(`{${m.names.map((n, i) => `${i}: '${n}'`).join(', ')}}`);
      const ops = new Set(proto.graph!.node!.map((n) => n.opType));
      for (const op of ['Conv', 'Sigmoid', 'Mul', 'MaxPool', 'Slice', 'Concat', 'Resize', 'Reshape', 'Transpose']) expect(ops.has(op!)).toBe(true);
      expect(ops.has('BatchNormalization')).toBe(false);
      m.dispose();
    });

    it(`${kind}: a dynamic graph runs at other sizes and batch 2, matching our forward within 1e-4`, async () => {
      const m = modelWithBn(spec, 5);
      const bytes = exportOnnx(m, { imgSize: [...size], dynamic: true });
      const proto = onnxProto.onnx.ModelProto.decode(bytes);
      expect(proto.graph!.input![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 3, 'height', 'width']);
      const s = Math.max(...m.strides);
      for (const [b, h, w] of [[2, size[0], size[1]], [1, 2 * s, 3 * s]] as const) {
        const x = input(b, h, w, 11);
        const got = await runOnnx(bytes, x, b, h, w);
        expect(got.dims[0]).toBe(b);
        expect(maxError(got.data, ours(m, x, b, h, w))).toBeLessThan(1e-4);
      }
      m.dispose();
    });
  }

  it('--half stores float16 weights (about half the file) and still computes in float32', async () => {
    const m = modelWithBn(tinyP5Spec(), 9);
    const full = exportOnnx(m, { imgSize: [64, 64] });
    const half = exportOnnx(m, { imgSize: [64, 64], half: true });
    expect(half.length).toBeLessThan(full.length * 0.6);
    const x = input(1, 64, 64, 1);
    const a = await runOnnx(half, x, 1, 64, 64);
    expect(maxError(a.data, ours(m, x, 1, 64, 64))).toBeLessThan(2e-2);
    m.dispose();
  });

  it('rejects a size that is not a multiple of the largest stride, and leaves no tensor behind', () => {
    const m = modelWithBn(tinyP6Spec(), 1);
    const before = tf.memory().numTensors;
    expect(() => exportOnnx(m, { imgSize: [100, 128] })).toThrow(/image size 100×128 must be positive multiples of the model's largest stride 64/);
    exportOnnx(m, { imgSize: [64, 64] });
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
