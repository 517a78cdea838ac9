import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { VigilUserError } from '@vigil/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { toyDetect } from '../testing/toy-detector.js';
import { descalePredictions, runTta, scaleImageForTta, ttaPlan } from './tta.js';

/** Made by fixtures/make-tta-golden.py from the original's scale_img / forward_augment (see the script). */
interface Arr {
  shape: number[];
  data: string;
}
interface Golden {
  scale_img: { input: Arr; cases: { ratio: number; gs: number; sameShape: boolean; shape: number[]; data: string }[] };
  forward_augment: { input: Arr; gs: number; output: Arr; plain: Arr };
}
const golden = JSON.parse(readFileSync(new URL('./fixtures/tta-golden.json', import.meta.url), 'utf8')) as Golden;
const f32 = (b64: string) => {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};
const tensor = (a: Arr) => tf.tensor(f32(a.data), a.shape);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ttaPlan', () => {
  it('is the original forward_augment plan', () => {
    expect(ttaPlan()).toEqual([
      { scale: 1, flip: 'none' },
      { scale: 0.83, flip: 'lr' },
      { scale: 0.67, flip: 'none' },
    ]);
  });
});

describe('scaleImageForTta', () => {
  for (const c of golden.scale_img.cases) {
    it(`matches scale_img(ratio ${c.ratio}, gs ${c.gs}, same_shape ${c.sameShape}) within 1e-5`, () => {
      const img = tensor(golden.scale_img.input) as tf.Tensor4D;
      const out = scaleImageForTta(img, c.ratio, { gs: c.gs, sameShape: c.sameShape });
      expect(out.shape).toEqual(c.shape);
      expect(maxAbsDiff(out.dataSync(), f32(c.data))).toBeLessThanOrEqual(1e-5);
      tf.dispose([img, out]);
    });
  }

  it('pads right and bottom with 0.447 and returns ratio 1 unchanged; no leaks', () => {
    const img = tf.ones([1, 10, 10, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const out = scaleImageForTta(img, 0.5, { gs: 8 });
    expect(out.shape).toEqual([1, 8, 8, 3]);
    const v = out.arraySync() as number[][][][];
    expect(v[0]![4]![4]![0]).toBe(1);
    expect(v[0]![5]![0]![0]).toBeCloseTo(0.447, 7);
    expect(v[0]![0]![7]![2]).toBeCloseTo(0.447, 7);
    const same = scaleImageForTta(img, 1);
    expect(same).not.toBe(img);
    expect(same.dataSync()).toEqual(img.dataSync());
    tf.dispose([out, same]);
    expect(tf.memory().numTensors).toBe(before);
    img.dispose();
  });

  it('rejects bad ratios, grid sizes and shapes', () => {
    const img = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => scaleImageForTta(img, 0)).toThrow(/TTA scale ratio must be a number/);
    expect(() => scaleImageForTta(img, 0.1)).toThrow(/shrinks a 4×4 image to nothing/);
    expect(() => scaleImageForTta(img, 0.5, { gs: 0 })).toThrow(/grid size/);
    expect(() => scaleImageForTta(tf.zeros([4, 4, 3]) as unknown as tf.Tensor4D, 0.5)).toThrow(/NHWC batch/);
    img.dispose();
  });
});

describe('descalePredictions', () => {
  it('divides xywh by the scale and de-flips x against the unscaled width (hand-checked)', () => {
    const p = tf.tensor3d([[[10, 20, 4, 6, 0.9, 0.1, 0.2]]]);
    const before = tf.memory().numTensors;
    const lr = descalePredictions(p, 0.5, 'lr', { height: 60, width: 100 });
    const ud = descalePredictions(p, 0.5, 'ud', { height: 60, width: 100 });
    const none = descalePredictions(p, 0.5, 'none', { height: 60, width: 100 });
    expect(Array.from(lr.dataSync())).toEqual(Array.from(Float32Array.from([80, 40, 8, 12, 0.9, 0.1, 0.2])));
    expect(Array.from(ud.dataSync())).toEqual(Array.from(Float32Array.from([20, 20, 8, 12, 0.9, 0.1, 0.2])));
    expect(Array.from(none.dataSync())).toEqual(Array.from(Float32Array.from([20, 40, 8, 12, 0.9, 0.1, 0.2])));
    tf.dispose([lr, ud, none]);
    expect(tf.memory().numTensors).toBe(before);
    p.dispose();
  });

  it('rejects tensors that are not decoded predictions', () => {
    const p = tf.zeros([1, 4, 5]) as tf.Tensor3D;
    expect(() => descalePredictions(p, 1, 'none', { height: 1, width: 1 })).toThrow(VigilUserError);
    p.dispose();
  });
});

describe('runTta', () => {
  it("matches the original's forward_augment (order of passes, de-scaling, de-flipping) within 1e-5", async () => {
    const g = golden.forward_augment;
    const x = tensor(g.input) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = await runTta(toyDetect, x, { gs: g.gs });
    expect(y.shape).toEqual(g.output.shape);
    expect(maxAbsDiff(y.dataSync(), f32(g.output.data))).toBeLessThanOrEqual(1e-5);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const plain = await runTta(toyDetect, x, { gs: g.gs, plan: [{ scale: 1, flip: 'none' }] });
    expect(maxAbsDiff(plain.dataSync(), f32(g.plain.data))).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, plain]);
  });

  it('accepts async detectors and frees everything when a detector returns a wrong shape', async () => {
    const x = tf.rand([1, 16, 16, 3], () => 0.5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const y = await runTta(async (t) => toyDetect(t), x, { gs: 8 });
    expect(y.shape).toEqual([1, 4 + 4 + 4, 8]); // 16 px, 13 px and 10 px padded to 16: 2×2 cells each
    y.dispose();
    let call = 0;
    const bad = (t: tf.Tensor4D) => (call++ === 1 ? (tf.zeros([1, 3, 9]) as tf.Tensor3D) : toyDetect(t));
    await expect(runTta(bad, x, { gs: 8 })).rejects.toThrow(/4 classes per row but an earlier output had 3/);
    await expect(runTta(() => tf.zeros([2, 3, 8]) as tf.Tensor3D, x, { gs: 8 })).rejects.toThrow(/expected decoded predictions \[1, N, 5 \+ nc\]/);
    await expect(runTta(toyDetect, x, { gs: 8, plan: [] })).rejects.toThrow(/plan is empty/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
