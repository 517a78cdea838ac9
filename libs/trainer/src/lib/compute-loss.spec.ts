import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { buildTargets } from './build-targets.js';
import { computeLoss, objBalance, scaleLossGains, smoothBce, type ComputeLossOptions } from './compute-loss.js';
import { HYP_SCRATCH_P6, type Hyp } from './hyp.js';

interface GoldenCase {
  name: string;
  seed: number;
  nc: number;
  B: number;
  imgSize: number;
  imgHW: [number, number];
  strides: number[];
  anchors: number[][][];
  hyp: Hyp;
  labelSmoothing: number;
  targets: number[];
  matches: number[];
  expected: { lbox: number; lobj: number; lcls: number; total: number; loss: number };
  grads: string[];
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/loss-golden.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

/** Same integer hash as make-loss-golden.py: uniform [-3, 3) rounded to float32. */
function predValues(seed: number, level: number, count: number): Float32Array {
  const base = (Math.imul(seed, 0x9e3779b1) + Math.imul(level, 0x85ebca77)) >>> 0;
  const out = new Float32Array(count);
  for (let e = 0; e < count; e++) {
    let x = (base + e) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d) >>> 0;
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b) >>> 0;
    x ^= x >>> 16;
    out[e] = ((x >>> 8) / 16777216) * 6 - 3;
  }
  return out;
}

function casePreds(c: GoldenCase): tf.Tensor[] {
  const [H, W] = c.imgHW;
  return c.strides.map((s, i) => {
    const shape = [c.B, H / s, W / s, c.anchors[i]!.length, c.nc + 5];
    return tf.tensor(predValues(c.seed, i, shape.reduce((a, b) => a * b, 1)), shape);
  });
}

function caseOptions(c: GoldenCase): ComputeLossOptions {
  return { anchors: c.anchors, strides: c.strides, nc: c.nc, imgSize: c.imgSize, batch: c.B, hyp: { ...c.hyp, label_smoothing: c.labelSmoothing } };
}

function decodeF32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function relErr(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

describe('computeLoss matches the original ComputeLoss (golden, torch)', () => {
  for (const c of golden.cases) {
    it(`${c.name}: components ≤ 1e-5 relative`, () => {
      const preds = casePreds(c);
      const { loss, items } = computeLoss(preds, new Float32Array(c.targets), caseOptions(c));
      const [lbox, lobj, lcls, total] = items.dataSync();
      expect(relErr(lbox!, c.expected.lbox)).toBeLessThanOrEqual(1e-5);
      expect(relErr(lobj!, c.expected.lobj)).toBeLessThanOrEqual(1e-5);
      expect(relErr(lcls!, c.expected.lcls)).toBeLessThanOrEqual(1e-5);
      expect(relErr(total!, c.expected.total)).toBeLessThanOrEqual(1e-5);
      expect(relErr(loss.dataSync()[0]!, c.expected.loss)).toBeLessThanOrEqual(1e-5);
      tf.dispose([loss, items, ...preds]);
    });

    it(`${c.name}: same matches per level as build_targets`, () => {
      const [H, W] = c.imgHW;
      const lts = buildTargets(new Float32Array(c.targets), {
        anchors: c.anchors,
        gridShapes: c.strides.map((s) => [H / s, W / s] as [number, number]),
        anchorT: c.hyp.anchor_t,
      });
      expect(lts.map((l) => l.n)).toEqual(c.matches);
    });

    it(`${c.name}: gradient w.r.t. predictions ≤ 1e-4 relative`, () => {
      const preds = casePreds(c);
      const grads = tf.grads((...ps: tf.Tensor[]) => {
        const { loss, items } = computeLoss(ps, new Float32Array(c.targets), caseOptions(c));
        items.dispose();
        return loss;
      })(preds);
      grads.forEach((g, i) => {
        const want = decodeF32(c.grads[i]!);
        const got = g.dataSync();
        expect(got.length).toBe(want.length);
        let maxAbs = 0;
        for (const v of want) maxAbs = Math.max(maxAbs, Math.abs(v));
        let worst = 0;
        for (let k = 0; k < want.length; k++) {
          // relative per element, with a floor at 1e-3 of the level's largest gradient for near-zero entries
          worst = Math.max(worst, Math.abs(got[k]! - want[k]!) / Math.max(Math.abs(want[k]!), 1e-3 * maxAbs));
        }
        expect(worst).toBeLessThanOrEqual(1e-4);
      });
      tf.dispose([...grads, ...preds]);
    });
  }
});

describe('computeLoss details', () => {
  const hyp = { ...HYP_SCRATCH_P6 };
  const anchors = [
    [
      [1.25, 1.625],
      [2, 3.75],
      [4.125, 2.875],
    ],
  ];

  it('does not leak tensors (forward and gradient)', () => {
    const p = tf.randomNormal([2, 4, 4, 3, 7], 0, 1, 'float32', 1);
    const targets = tf.tensor2d([0, 1, 0.5, 0.5, 0.3, 0.4, 1, 0, 0.2, 0.7, 0.2, 0.2], [2, 6]);
    const opts: ComputeLossOptions = { anchors, strides: [8], nc: 2, hyp, imgSize: 32 };
    const before = tf.memory().numTensors;
    const r = computeLoss([p], targets, opts);
    tf.dispose([r.loss, r.items]);
    const g = tf.grad((x: tf.Tensor) => {
      const o = computeLoss([x], targets, opts);
      o.items.dispose();
      return o.loss;
    })(p);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, targets]);
  });

  it('accepts targets as a tensor or a Float32Array with the same result', () => {
    const p = tf.randomNormal([1, 4, 4, 3, 7], 0, 1, 'float32', 2);
    const rows = [0, 1, 0.4, 0.6, 0.25, 0.3];
    const opts: ComputeLossOptions = { anchors, strides: [8], nc: 2, hyp, imgSize: 32 };
    const t = tf.tensor2d(rows, [1, 6]);
    const a = computeLoss([p], t, opts);
    const b = computeLoss([p], new Float32Array(rows), opts);
    expect(Array.from(a.items.dataSync())).toEqual(Array.from(b.items.dataSync()));
    tf.dispose([p, t, a.loss, a.items, b.loss, b.items]);
  });

  it('rejects wrong prediction shapes, class indices outside nc and image indices outside the batch', () => {
    const p = tf.zeros([1, 4, 4, 3, 7]);
    const opts: ComputeLossOptions = { anchors, strides: [8], nc: 2, hyp, imgSize: 32 };
    expect(() => computeLoss([p], new Float32Array([0, 2, 0.5, 0.5, 0.1, 0.1]), opts)).toThrow(/class 2 but the model has nc=2/);
    expect(() => computeLoss([p], new Float32Array([1, 0, 0.5, 0.5, 0.1, 0.1]), opts)).toThrow(/image index 1 outside the batch of 1/);
    expect(() => computeLoss([p], new Float32Array([0, 0, 0.5, 0.5]), opts)).toThrow(/\[n, 6\]/);
    expect(() => computeLoss([p], new Float32Array(0), { ...opts, nc: 3 })).toThrow(/must be \[1, ny, nx, 3, 8\]/);
    p.dispose();
  });

  it('gains, balance and smoothing follow train.py / loss.py', () => {
    const g = scaleLossGains({ box: 0.05, obj: 0.7, cls: 0.3 }, 4, 7, 1280);
    expect(g.box).toBe(0.05 * 0.75);
    expect(g.cls).toBe(0.3 * (((7 / 80) * 3) / 4));
    expect(g.obj).toBe(0.7 * ((4 * 3) / 4));
    expect(objBalance(3)).toEqual([4, 1, 0.4]);
    expect(objBalance(4).slice(0, 4)).toEqual([4, 1, 0.25, 0.06]);
    expect(smoothBce(0)).toEqual({ cp: 1, cn: 0 });
    expect(smoothBce(0.1)).toEqual({ cp: 0.95, cn: 0.05 });
  });

  it('a target exactly on the right image edge is clamped into the last cell, box offset from the clamped cell', () => {
    // grid 4x4: gx = 4.0, gy = 1.0, w = h = 1.2 (all three anchors within anchor_t)
    const [lt] = buildTargets(new Float32Array([0, 0, 1.0, 0.25, 0.3, 0.3]), { anchors, gridShapes: [[4, 4]], anchorT: 4 });
    // centre (3 anchors), j = x−1 (frac 0 < .5 and gx > 1), m = y+1 (gyi = 3: frac 0 < .5 and > 1); not k (gy = 1 is
    // not > 1), not l (gxi = 0). trunc(4.0) = 4 is clamped to 3; m's trunc(1.0 + 0.5) = 1 is the centre row again.
    expect(lt!.n).toBe(9);
    expect(Array.from(lt!.gi)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(Array.from(lt!.gj)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(lt!.a)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(lt!.tbox[0]).toBe(1); // x offset 4.0 − 3 from the clamped cell
    expect(Array.from(lt!.flat.slice(0, 3))).toEqual([(1 * 4 + 3) * 3, (1 * 4 + 3) * 3 + 1, (1 * 4 + 3) * 3 + 2]);
  });

  it('no targets: only the objectness term, zero box and class losses', () => {
    const p = tf.zeros([1, 4, 4, 3, 7]);
    const r = computeLoss([p], new Float32Array(0), { anchors, strides: [8], nc: 2, hyp, imgSize: 32 });
    const [box, obj, cls, total] = r.items.dataSync();
    expect(box).toBe(0);
    expect(cls).toBe(0);
    // BCE(0, 0) = ln 2, balance 4 (single level -> [4, 1, .25, ...][0]), obj gain 0.7·(32/640)²·3
    expect(obj).toBeCloseTo(Math.LN2 * 4 * 0.7 * (32 / 640) ** 2 * 3, 6);
    expect(total).toBeCloseTo(obj!, 7);
    tf.dispose([p, r.loss, r.items]);
  });
});
