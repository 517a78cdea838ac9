import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
// Gradients are not registered by tfjs-core's Node entry; vitest can load its ESM registration module (plain Node cannot).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { BN_SILU, CONV_BN_SILU, type BnSiluAttrs, type BnSiluKernelLimits, type ConvBnSiluAttrs } from '@vigil/core';
import { YoloModel, conv2dSym, focusFilter, silu, spaceToDepthFocus } from './model.js';
import { tinyP5Spec, tinyP6Spec } from './testing.js';
import { resolveSpec } from './spec.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/**
 * Max difference of decoded outputs `[B, N, 5+nc]` with the boxes scaled to the input size (xywh ÷ `size`): boxes reach
 * thousands of pixels, where float32 resolves only ~1e-4; probabilities are compared as they are.
 */
function decodedDiff(a: tf.Tensor3D, b: tf.Tensor3D, size: number): number {
  return tf.tidy(() => {
    const scale = tf.concat([tf.fill([4], size), tf.ones([a.shape[2] - 4])]);
    return maxAbsDiff(tf.div(a, scale), tf.div(b, scale));
  });
}

/** Random BN statistics and affine params so that BN is not the identity. */
function perturbBn(m: YoloModel, seed = 1): void {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [name, v] of m.variables()) {
    if (!name.includes('.bn.')) continue;
    const d = new Float32Array(v.size).map(() => (name.endsWith('running_var') ? 0.5 + rnd() : name.endsWith('weight') ? 0.5 + rnd() : rnd() - 0.5));
    const t = tf.tensor(d, v.shape);
    v.assign(t);
    t.dispose();
  }
}

const input = (b: number, h: number, w: number, seed = 3) => tf.randomUniform([b, h, w, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

describe('YoloModel build and init', () => {
  it('strides from the dry run, anchors in grid units, parameter count equals the spec', () => {
    const spec = tinyP6Spec();
    const m = YoloModel.create(spec, { seed: 1 });
    expect(m.strides).toEqual([8, 16, 32, 64]);
    expect(m.anchors[0]![0]).toEqual([19 / 8, 27 / 8]);
    expect(m.anchors[3]![2]).toEqual([925 / 64, 792 / 64]);
    expect(m.anchorsPx()[1]).toEqual([[96, 68], [86, 152], [180, 137]]);
    expect(m.parameterCount()).toBe(spec.params);
    expect(m.names).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    m.dispose();
  });

  it('same seed ⇒ identical weights; another seed differs; init as the original', () => {
    const spec = tinyP6Spec();
    const a = YoloModel.create(spec, { seed: 7 });
    const b = YoloModel.create(spec, { seed: 7 });
    const c = YoloModel.create(spec, { seed: 8 });
    const wa = a.getWeights();
    const wb = b.getWeights();
    const wc = c.getWeights();
    expect([...wa.keys()]).toEqual([...wb.keys()]);
    for (const [k, t] of wa) expect(Buffer.from(t.data.buffer).equals(Buffer.from(wb.get(k)!.data.buffer))).toBe(true);
    expect(wa.get('model.1.conv.weight')!.data).not.toEqual(wc.get('model.1.conv.weight')!.data);
    // Conv weights U(±1/√fan_in): layer 1 is Conv(16→... ) k3 with fan_in = cin·9.
    const w1 = wa.get('model.1.conv.weight')!;
    const bound = 1 / Math.sqrt(w1.shape[2]! * 9);
    expect(Math.max(...w1.data.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w1.data.map(Math.abs))).toBeGreaterThan(bound * 0.9);
    expect([...wa.get('model.1.bn.weight')!.data].every((x) => x === 1)).toBe(true);
    expect([...wa.get('model.1.bn.bias')!.data].every((x) => x === 0)).toBe(true);
    // Detect bias priors: obj ≈ ln(8/(640/s)²) + U(±1/√cin), cls ≈ ln(0.6/(nc−0.99)) + U.
    const b0 = wa.get('model.33.m.0.bias')!.data;
    const cin = wa.get('model.33.m.0.weight')!.shape[2]!;
    const u = 1 / Math.sqrt(cin);
    expect(Math.abs(b0[4]! - Math.log(8 / 80 ** 2))).toBeLessThanOrEqual(u);
    expect(Math.abs(b0[12 + 6]! - Math.log(0.6 / 6.01))).toBeLessThanOrEqual(u);
    const b3 = wa.get('model.33.m.3.bias')!.data;
    expect(Math.abs(b3[4]! - Math.log(8 / 10 ** 2))).toBeLessThanOrEqual(u * 2);
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('forward', () => {
  it('train mode returns raw [B, ny, nx, na, 5+nc] maps; eval returns decoded [B, N, 5+nc]', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 1 });
    const x = input(2, 64, 128);
    const raw = m.forwardTrain(x);
    expect(raw.map((r) => r.shape)).toEqual([
      [2, 8, 16, 3, 12],
      [2, 4, 8, 3, 12],
      [2, 2, 4, 3, 12],
      [2, 1, 2, 3, 12],
    ]);
    const { decoded, raw: raw2 } = m.forwardEval(x, { raw: true });
    expect(decoded.shape).toEqual([2, 3 * (128 + 32 + 8 + 2), 12]);
    expect(raw2!.length).toBe(4);
    // Decode by hand for one row: level 1, y=2, x=5, anchor 1 of image 1.
    const r = raw2![1]!.arraySync()[1]![2]![5]![1]!;
    const sig = r.map((v) => 1 / (1 + Math.exp(-v)));
    const row = 3 * 128 + (2 * 8 + 5) * 3 + 1;
    const d = decoded.arraySync()[1]![row]!;
    expect(d[0]).toBeCloseTo((sig[0]! * 2 - 0.5 + 5) * 16, 4);
    expect(d[1]).toBeCloseTo((sig[1]! * 2 - 0.5 + 2) * 16, 4);
    expect(d[2]).toBeCloseTo((sig[2]! * 2) ** 2 * 86, 3);
    expect(d[3]).toBeCloseTo((sig[3]! * 2) ** 2 * 152, 3);
    expect(d[7]).toBeCloseTo(sig[7]!, 5);
    tf.dispose([x, decoded, ...raw, ...raw2!]);
    m.dispose();
  });

  it('leaves no tensors behind in eval and train mode', () => {
    const m = YoloModel.create(tinyP5Spec(), { seed: 2 });
    const x = input(1, 64, 64);
    const before = tf.memory().numTensors;
    tf.dispose(m.forwardTrain(x));
    tf.dispose(m.forwardTrain(x, { updateStats: false }));
    m.predict(x).dispose();
    const e = m.forwardEval(x, { raw: true });
    tf.dispose([e.decoded, ...e.raw!]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('train mode updates BN running stats with momentum 0.03 (unbiased var); eval and updateStats:false do not', () => {
    const m = YoloModel.create(tinyP5Spec(), { seed: 2 });
    const x = input(2, 64, 64);
    const rm = () => m.variables().get('model.0.conv.bn.running_mean')!.dataSync().slice();
    const rv = () => m.variables().get('model.0.conv.bn.running_var')!.dataSync().slice();
    const m0 = rm();
    m.predict(x).dispose();
    tf.dispose(m.forwardTrain(x, { updateStats: false }));
    expect(rm()).toEqual(m0);
    // Expected batch stats of layer 0's conv output.
    const [mean, varU] = tf.tidy(() => {
      const w = m.variables().get('model.0.conv.conv.weight')! as tf.Tensor4D;
      const y = conv2dSym(spaceToDepthFocus(x), w, 1, 1);
      const mom = tf.moments(y, [0, 1, 2]);
      const n = y.size / y.shape[3];
      return [mom.mean.dataSync(), tf.mul(mom.variance, n / (n - 1)).dataSync()];
    });
    tf.dispose(m.forwardTrain(x));
    const m1 = rm();
    const v1 = rv();
    for (let c = 0; c < m1.length; c++) {
      expect(m1[c]).toBeCloseTo(0.03 * mean![c]!, 5);
      expect(v1[c]).toBeCloseTo(0.97 + 0.03 * varU![c]!, 5);
    }
    x.dispose();
    m.dispose();
  });

  it('create, setWeights, fuse and dispose leave no tensors behind', () => {
    const before = tf.memory().numTensors;
    const m = YoloModel.create(tinyP6Spec(), { seed: 1 });
    const nVars = m.variableNames().length;
    expect(tf.memory().numTensors).toBe(before + nVars);
    m.setWeights(m.getWeights());
    expect(tf.memory().numTensors).toBe(before + nVars);
    m.fuse();
    expect(tf.memory().numTensors).toBe(before + m.variableNames().length);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clone() copies weights, anchors and freeze state independently', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 1 });
    m.freeze([0]);
    m.anchors[1]![1] = [9, 9];
    const before = tf.memory().numTensors;
    const c = m.clone();
    expect(tf.memory().numTensors).toBe(before + m.variableNames().length);
    expect(c.anchors).toEqual(m.anchors);
    expect(c.frozen()).toEqual([0]);
    expect(c.variables().get('model.0.conv.conv.weight')!.trainable).toBe(false);
    const w = m.getWeights();
    for (const [k, t] of c.getWeights()) expect(t.data).toEqual(w.get(k)!.data);
    const v = c.variables().get('model.1.conv.weight')!;
    const z = tf.zerosLike(v);
    v.assign(z);
    z.dispose();
    expect(m.variables().get('model.1.conv.weight')!.dataSync()).toEqual(w.get('model.1.conv.weight')!.data);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('rejects inputs that are not NHWC multiples of the largest stride', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 1 });
    const x = tf.zeros([1, 96, 64, 3]) as tf.Tensor4D;
    expect(() => m.predict(x)).toThrow(/must be a multiple of the largest stride 64/);
    const y = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    expect(() => m.predict(y)).toThrow(/must be \[B, H, W, 3\]/);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('gradients reach every trainable variable', () => {
    const m = YoloModel.create(tinyP5Spec(), { seed: 4 });
    const x = input(2, 64, 64);
    const vars = [...m.variables().values()].filter((v) => v.trainable);
    const { value, grads } = tf.variableGrads(() => tf.addN(m.forwardTrain(x).map((r) => tf.mean(tf.square(r)))) as tf.Scalar, vars);
    expect(Object.keys(grads).length).toBe(vars.length);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    tf.dispose([value, x, ...Object.values(grads)]);
    m.dispose();
  });
});

describe('SPPF', () => {
  it('SPP(3,5,7) and SPPF(k=3) give the same outputs with the same weights', () => {
    const spp = tinyP6Spec();
    const cfg = structuredClone(spp.config);
    cfg.backbone[10] = [-1, 1, 'SPPF', [1024, 3]];
    const sppf = resolveSpec(cfg);
    expect(sppf.params).toBe(spp.params);
    const a = YoloModel.create(spp, { seed: 9 });
    const b = YoloModel.create(sppf, { seed: 10 });
    b.setWeights(a.getWeights());
    const x = input(1, 128, 128);
    const ya = a.predict(x);
    const yb = b.predict(x);
    expect(decodedDiff(ya, yb, 128)).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
  });
});

describe('Focus space-to-depth', () => {
  it('matches the original channel order cat(x[::2,::2], x[1::2,::2], x[::2,1::2], x[1::2,1::2])', () => {
    const x = tf.tensor4d(Array.from({ length: 4 * 4 * 2 }, (_, i) => i), [1, 4, 4, 2]);
    const y = spaceToDepthFocus(x).arraySync()[0]!;
    const xa = x.arraySync()[0]!;
    // Block b at output (i, j): (dy, dx) = (0,0), (1,0), (0,1), (1,1) — dy along H (rows), dx along W.
    const offs = [[0, 0], [1, 0], [0, 1], [1, 1]];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        for (let b = 0; b < 4; b++)
          for (let c = 0; c < 2; c++) expect(y[i]![j]![b * 2 + c]).toBe(xa[2 * i + offs[b]![0]!]![2 * j + offs[b]![1]!]![c]);
    x.dispose();
  });

  for (const [k, s, p] of [[3, 1, 1], [1, 1, 0], [3, 2, 1], [2, 1, 0]] as const) {
    it(`the model's strided form (focusFilter) equals conv(space-to-depth): k${k} s${s} p${p}, values and gradients`, () => {
      const x = tf.randomNormal([2, 12, 16, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
      const w = tf.randomNormal([k, k, 12, 5], 0, 0.3, 'float32', 12) as tf.Tensor4D;
      const dy = tf.randomNormal(conv2dSym(spaceToDepthFocus(x), w, s, p).shape, 0, 1, 'float32', 13);
      const viaS2d = (xi: tf.Tensor, wi: tf.Tensor) => conv2dSym(spaceToDepthFocus(xi as tf.Tensor4D), wi as tf.Tensor4D, s, p);
      const strided = (xi: tf.Tensor, wi: tf.Tensor) => conv2dSym(xi as tf.Tensor4D, focusFilter(wi as tf.Tensor4D), 2 * s, 2 * p);
      const ref = tf.grads(viaS2d)([x, w], dy);
      const got = tf.grads(strided)([x, w], dy);
      expect(maxAbsDiff(strided(x, w), viaS2d(x, w))).toBeLessThan(1e-5);
      expect(maxAbsDiff(got[0]!, ref[0]!)).toBeLessThan(1e-5);
      expect(maxAbsDiff(got[1]!, ref[1]!)).toBeLessThan(1e-4);
      tf.dispose([x, w, dy, ...ref, ...got]);
    });
  }
});

describe('variable groups and freeze', () => {
  it('splits BN weights / conv weights / biases like the original, and freeze removes layers', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 1 });
    const g = m.variableGroups();
    const all = [...m.variables().keys()];
    const bnw = all.filter((n) => n.endsWith('.bn.weight'));
    expect(g.bnWeights.map((x) => x.name)).toEqual(bnw);
    expect(g.biases.length).toBe(bnw.length + 4);
    expect(g.weights.length).toBe(bnw.length + 4);
    expect(g.weights.every((x) => x.name.endsWith('.weight') && !x.name.includes('.bn.'))).toBe(true);
    m.freeze([1, 2, 3, 4, 5, 8, 9, 10, 11]);
    const g2 = m.variableGroups();
    const names = [...g2.bnWeights, ...g2.weights, ...g2.biases].map((x) => x.name);
    expect(names.some((n) => /^model\.(1|2|3|4|5|8|9|10|11)\./.test(n))).toBe(false);
    expect(names.some((n) => n.startsWith('model.0.'))).toBe(true);
    expect(names.some((n) => n.startsWith('model.6.'))).toBe(true);
    expect(m.variables().get('model.2.cv1.conv.weight')!.trainable).toBe(false);
    expect(m.frozen()).toEqual([1, 2, 3, 4, 5, 8, 9, 10, 11]);
    m.freeze([]);
    expect(m.variables().get('model.2.cv1.conv.weight')!.trainable).toBe(true);
    expect(() => m.freeze([34])).toThrow(/cannot freeze layer 34: the model has layers 0…33/);
    m.dispose();
  });
});

describe('fuse', () => {
  it('fused and unfused eval outputs agree to ≤ 1e-4; fused state has conv biases and no BN', () => {
    const m = YoloModel.create(tinyP6Spec(), { seed: 5 });
    perturbBn(m);
    const x = input(1, 128, 128);
    const before = m.predict(x);
    const nParams = m.parameterCount();
    m.fuse();
    const names = m.variableNames();
    expect(names.some((n) => n.includes('.bn.'))).toBe(false);
    expect(names.slice(0, 4)).toEqual(['model.0.conv.conv.weight', 'model.0.conv.conv.bias', 'model.1.conv.weight', 'model.1.conv.bias']);
    expect(m.parameterCount()).toBeLessThan(nParams);
    const after = m.predict(x);
    expect(decodedDiff(before, after, 128)).toBeLessThanOrEqual(1e-4);
    expect(() => m.forwardTrain(x)).toThrow(/inference only/);
    tf.dispose([x, before, after]);
    m.dispose();
  });
});

/** Registers `kernelFunc` as `name` on the cpu backend for the duration of `body` (tests of the registry hook). */
function withCpuKernel(name: string, kernelFunc: tf.KernelFunc, extra: object, body: () => void): void {
  tf.registerKernel({ ...extra, kernelName: name, backendName: 'cpu', kernelFunc });
  try {
    body();
  } finally {
    tf.unregisterKernel(name, 'cpu');
  }
}

/** Plain-ops BatchNorm (batch statistics) + SiLU of the documented BN_SILU form. */
function plainBnSilu(c: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  const { mean, variance } = tf.moments(c, [0, 1, 2]);
  const z = tf.add(tf.mul(tf.mul(tf.sub(c, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  return [silu(z) as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D];
}

describe('Conv+BN+SiLU kernels from the tfjs registry', () => {
  it('runs a CONV_BN_SILU kernel registered for the active backend in eval mode (same results), not in train mode', () => {
    const m = YoloModel.create(tinyP5Spec(), { seed: 6 });
    perturbBn(m);
    const x = input(1, 64, 64);
    const ref = m.predict(x);
    let calls = 0;
    withCpuKernel(CONV_BN_SILU, ({ inputs, attrs }) => {
      calls++;
      const { x: xi, filter, scale, bias } = inputs as Record<string, tf.Tensor>;
      const { stride, pad } = attrs as unknown as ConvBnSiluAttrs;
      return tf.tidy(() => {
        const y = conv2dSym(xi as tf.Tensor4D, filter as tf.Tensor4D, stride, pad);
        return silu(tf.add(scale ? tf.mul(y, scale) : y, bias!));
      });
    }, {}, () => {
      const y = m.predict(x);
      expect(calls).toBeGreaterThan(10);
      expect(decodedDiff(ref, y, 64)).toBeLessThanOrEqual(1e-4);
      const n = calls;
      tf.dispose(m.forwardTrain(x, { updateStats: false }));
      expect(calls).toBe(n);
      m.convKernel = 'off';
      m.predict(x).dispose();
      expect(calls).toBe(n);
      m.convKernel = 'auto';
      m.fuse();
      const z = m.predict(x);
      expect(calls).toBeGreaterThan(n);
      expect(decodedDiff(ref, z, 64)).toBeLessThanOrEqual(1e-4);
      tf.dispose([y, z]);
    });
    tf.dispose([x, ref]);
    m.dispose();
  });

  it('runs a BN_SILU kernel in train mode where it takes the channel count: same maps, running stats and gradients', () => {
    const spec = tinyP5Spec();
    const a = YoloModel.create(spec, { seed: 6 });
    const b = YoloModel.create(spec, { seed: 6 });
    perturbBn(a);
    perturbBn(b);
    const x = input(2, 64, 64);
    const lossOf = (m: YoloModel) => () => tf.addN(m.forwardTrain(x).map((t) => tf.sum(tf.mul(t, t)))) as tf.Scalar;
    const ref = tf.variableGrads(lossOf(a));
    const channels: number[] = [];
    // The gradient a kernel's provider registers with it; here BatchNorm + SiLU's backward written out in ops.
    tf.registerGradient({
      kernelName: BN_SILU,
      inputsToSave: ['x', 'gamma', 'beta'],
      gradFunc: (dys, saved, attrs) => {
        const [c, gamma, beta] = saved as [tf.Tensor4D, tf.Tensor, tf.Tensor];
        const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor4D;
        const { mean, variance } = tf.moments(c, [0, 1, 2]);
        const rstd = tf.rsqrt(tf.add(variance, (attrs as unknown as BnSiluAttrs).eps));
        const xhat = tf.mul(tf.sub(c, mean), rstd);
        const z = tf.add(tf.mul(xhat, gamma), beta);
        const sg = tf.sigmoid(z);
        const dz = tf.mul(dy, tf.add(sg, tf.mul(tf.mul(z, sg), tf.sub(1, sg))));
        const dxhat = tf.mul(dz, gamma);
        const n = c.size / c.shape[3];
        const dx = tf.mul(tf.div(rstd, n), tf.sub(tf.sub(tf.mul(dxhat, n), tf.sum(dxhat, [0, 1, 2])), tf.mul(xhat, tf.sum(tf.mul(dxhat, xhat), [0, 1, 2]))));
        return { x: () => dx, gamma: () => tf.sum(tf.mul(dz, xhat), [0, 1, 2]), beta: () => tf.sum(dz, [0, 1, 2]) };
      },
    });
    // Takes only multiples of 8 channels (the tiny model's C3 hidden convs have 4): both paths run in one forward.
    withCpuKernel(BN_SILU, ({ inputs, attrs }) => {
      const { x: c, gamma, beta } = inputs as Record<string, tf.Tensor>;
      channels.push(gamma!.shape[0]!);
      return tf.tidy(() => plainBnSilu(c as tf.Tensor4D, gamma!, beta!, (attrs as unknown as BnSiluAttrs).eps));
    }, { channelMultiple: 8 } satisfies BnSiluKernelLimits, () => {
      const before = tf.memory().numTensors;
      const got = tf.variableGrads(lossOf(b));
      const units = [...b.variables()].filter(([n]) => n.endsWith('.bn.weight')).map(([, v]) => v.shape[0]!);
      expect(units.some((c) => c % 8 !== 0)).toBe(true);
      expect([...channels].sort((p, q) => p - q)).toEqual(units.filter((c) => c % 8 === 0).sort((p, q) => p - q));
      expect(Math.abs(got.value.dataSync()[0]! - ref.value.dataSync()[0]!) / ref.value.dataSync()[0]!).toBeLessThan(1e-5);
      let compared = 0;
      for (const [name, va] of a.variables()) {
        const g = ref.grads[va.name];
        if (!g) continue; // running statistics are not trainable
        const scale = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) || 1;
        expect(maxAbsDiff(g, got.grads[b.variables().get(name)!.name]!) / scale, name).toBeLessThan(1e-4);
        compared++;
      }
      expect(compared).toBe(Object.keys(ref.grads).length);
      for (const [name, v] of a.variables()) {
        if (name.endsWith('running_mean') || name.endsWith('running_var')) expect(maxAbsDiff(v, b.variables().get(name)!), name).toBeLessThan(1e-6);
      }
      tf.dispose([got.value, ...Object.values(got.grads)]);
      expect(tf.memory().numTensors).toBe(before);
      const n = channels.length;
      b.convKernel = 'off';
      tf.dispose(b.forwardTrain(x));
      expect(channels.length).toBe(n);
    });
    tf.dispose([x, ref.value, ...Object.values(ref.grads)]);
    a.dispose();
    b.dispose();
  });
});
