import * as tf from '@tensorflow/tfjs-core';
import { Rng, VigilUserError } from '@vigil/core';
import { bnSiluTrain, convBnSiluEval, hasBnSiluKernel, hasConvBnSiluKernel } from './conv-kernel.js';
import type { LayerSpec, ResolvedSpec } from './spec.js';

/**
 * YOLOv5 on tfjs (NHWC), following the original's models/yolo.py `Model` and models/common.py modules.
 *
 * Weights are `tf.Variable`s named like the original's state_dict (`model.N.…`, N = yaml row), with our layouts:
 * conv weights HWIO `[k, k, Cin, Cout]` (PyTorch: OIHW), BatchNorm `weight` (γ), `bias` (β), `running_mean`,
 * `running_var` `[C]`, Detect conv `model.N.m.L.weight` / `.bias`. Focus is a space-to-depth that yields the original's
 * channel order, so its conv weights need no reordering beyond OIHW → HWIO.
 */

/** BatchNorm constants of the original (utils/torch_utils.py initialize_weights). */
export const BN_EPS = 1e-3;
export const BN_MOMENTUM = 0.03;

/** One Conv(c1, c2, k, s) unit: conv (no bias unless fused) + BN + SiLU. */
export interface ConvUnit {
  prefix: string;
  cin: number;
  cout: number;
  k: number;
  s: number;
  p: number;
}

export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

/** The trainer's optimiser groups, as the original's train.py pg0/pg1/pg2. */
export interface VariableGroups {
  /** BatchNorm γ (no weight decay) — the original's pg0. */
  bnWeights: NamedVariable[];
  /** Conv weights (weight decay) — pg1. */
  weights: NamedVariable[];
  /** BatchNorm β and Detect conv biases (no decay) — pg2. */
  biases: NamedVariable[];
}

/** A state tensor in our layout (HWIO conv weights). */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

export interface CreateModelOptions {
  /** Seed for the initial weights (same seed ⇒ identical weights). Default 0. */
  seed?: number;
  /** Class names (default "0", "1", …). */
  names?: string[];
  /**
   * `'random'` (default): the original's initialisation. `'zeros'`: skip the random draw (all weights 0, BN as
   * initialised) — for models whose weights are loaded right after (checkpoints, .pt import).
   */
  init?: 'random' | 'zeros';
}

export interface EvalOutput {
  /** `[B, N, 5+nc]` float32: cx, cy, w, h (input pixels), objectness prob, class probs; rows level by level, then (y, x, anchor). */
  decoded: tf.Tensor3D;
  /** The raw per-level maps `[B, ny, nx, na, 5+nc]` when asked for. */
  raw?: tf.Tensor5D[];
}

export interface TrainForwardOptions {
  /** Update BN running statistics from the batch (default true, as PyTorch's train mode). */
  updateStats?: boolean;
}

/** The Conv+BN+SiLU units of a layer, in build order (names as the original's state_dict). */
export function convUnitsOf(layer: LayerSpec): ConvUnit[] {
  const i = layer.index;
  const reps = layer.n;
  const units: ConvUnit[] = [];
  for (let j = 0; j < reps; j++) {
    const pre = reps > 1 ? `model.${i}.${j}` : `model.${i}`;
    const c1 = j === 0 ? layer.c1 : layer.c2;
    switch (layer.module) {
      case 'Conv':
        units.push({ prefix: pre, cin: c1, cout: layer.c2, k: layer.k!, s: layer.s!, p: layer.p! });
        break;
      case 'Focus':
        units.push({ prefix: `${pre}.conv`, cin: c1 * 4, cout: layer.c2, k: layer.k!, s: layer.s!, p: layer.p! });
        break;
      case 'Bottleneck': {
        const c = Math.trunc(layer.c2 * layer.e!);
        units.push({ prefix: `${pre}.cv1`, cin: c1, cout: c, k: 1, s: 1, p: 0 }, { prefix: `${pre}.cv2`, cin: c, cout: layer.c2, k: 3, s: 1, p: 1 });
        break;
      }
      case 'C3': {
        const c = Math.trunc(layer.c2 * layer.e!);
        units.push({ prefix: `${pre}.cv1`, cin: c1, cout: c, k: 1, s: 1, p: 0 }, { prefix: `${pre}.cv2`, cin: c1, cout: c, k: 1, s: 1, p: 0 }, { prefix: `${pre}.cv3`, cin: 2 * c, cout: layer.c2, k: 1, s: 1, p: 0 });
        for (let b = 0; b < layer.repeats!; b++) {
          units.push({ prefix: `${pre}.m.${b}.cv1`, cin: c, cout: c, k: 1, s: 1, p: 0 }, { prefix: `${pre}.m.${b}.cv2`, cin: c, cout: c, k: 3, s: 1, p: 1 });
        }
        break;
      }
      case 'SPP':
      case 'SPPF': {
        const c = Math.floor(c1 / 2);
        const parts = layer.module === 'SPP' ? layer.poolKernels!.length + 1 : 4;
        units.push({ prefix: `${pre}.cv1`, cin: c1, cout: c, k: 1, s: 1, p: 0 }, { prefix: `${pre}.cv2`, cin: c * parts, cout: layer.c2, k: 1, s: 1, p: 0 });
        break;
      }
      default:
        break;
    }
  }
  return units;
}

/**
 * Number of values the model's variables hold (weights, BN affine and running stats, Detect), without building it:
 * lets a loader compare a file's declared spec with the data it carries before allocating anything. Fused: conv
 * weights + folded biases, no BatchNorm.
 */
export function modelElementCount(spec: ResolvedSpec, options: { fused?: boolean } = {}): number {
  let n = 0;
  for (const layer of spec.layers) for (const u of convUnitsOf(layer)) n += u.k * u.k * u.cin * u.cout + (options.fused ? 1 : 4) * u.cout;
  const det = spec.layers[spec.layers.length - 1]!;
  for (const cin of det.detectChannels ?? []) n += (cin + 1) * spec.na * spec.no;
  return n;
}

/** Fills a Float32Array with U(−bound, bound) from `rng` (one 32-bit draw per value: float32 needs no more). */
function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const a = new Float32Array(n);
  const scale = (2 * bound) / 4294967296;
  for (let i = 0; i < n; i++) a[i] = rng.nextUint32() * scale - bound;
  return a;
}

/** A YOLOv5 detector built from a {@link ResolvedSpec}. Dispose it to free its variables. */
export class YoloModel {
  readonly spec: ResolvedSpec;
  readonly nc: number;
  names: string[];
  /** Detect strides, e.g. [8, 16, 32, 64]. */
  readonly strides: number[];
  /** Anchors in grid units `[nl][na][2]` (pixels / stride). */
  anchors: number[][][];
  /** True after {@link fuse}: convs carry the folded BN; train mode is unavailable. */
  fused = false;
  /**
   * Fused Conv+BN+SiLU kernels (@vigil/core's `CONV_BN_SILU` in eval mode, `BN_SILU` after the convolution in train
   * mode): `'auto'` (default) = the ones registered in tfjs' kernel registry for the active backend, if any;
   * `'off'` = plain tfjs ops.
   */
  convKernel: 'auto' | 'off' = 'auto';

  private readonly vars = new Map<string, tf.Variable>();
  private readonly units: ConvUnit[][];
  private readonly frozenLayers = new Set<number>();
  private disposed = false;

  private constructor(spec: ResolvedSpec, names: string[] | undefined) {
    this.spec = spec;
    this.nc = spec.nc;
    this.strides = [...spec.strides];
    this.anchors = spec.anchorsPx.map((lvl, l) => lvl.map(([w, h]) => [w! / spec.strides[l]!, h! / spec.strides[l]!]));
    if (names && names.length !== spec.nc) throw new VigilUserError(`${names.length} class names given for a model with nc=${spec.nc}`);
    this.names = names ? [...names] : Array.from({ length: spec.nc }, (_, i) => String(i));
    this.units = spec.layers.map(convUnitsOf);
  }

  /**
   * Builds a model with the original's initialisation: conv weights and biases U(±1/√fan_in) (PyTorch's default
   * kaiming-uniform a=√5), BN γ=1 β=0, running mean 0 / var 1, Detect bias priors obj += ln(8/(640/s)²),
   * cls += ln(0.6/(nc−0.99)) (models/yolo.py `_initialize_biases`). Seeded: same seed ⇒ identical weights.
   */
  static create(spec: ResolvedSpec, options: CreateModelOptions = {}): YoloModel {
    const m = new YoloModel(spec, options.names);
    const rng = new Rng(options.seed ?? 0);
    const draw = options.init === 'zeros' ? (_: Rng, n: number) => new Float32Array(n) : uniform;
    for (const units of m.units) {
      for (const u of units) {
        const fanIn = u.cin * u.k * u.k;
        m.addVar(`${u.prefix}.conv.weight`, [u.k, u.k, u.cin, u.cout], draw(rng, u.k * u.k * u.cin * u.cout, 1 / Math.sqrt(fanIn)), true);
        m.addVar(`${u.prefix}.bn.weight`, [u.cout], new Float32Array(u.cout).fill(1), true);
        m.addVar(`${u.prefix}.bn.bias`, [u.cout], new Float32Array(u.cout), true);
        m.addVar(`${u.prefix}.bn.running_mean`, [u.cout], new Float32Array(u.cout), false);
        m.addVar(`${u.prefix}.bn.running_var`, [u.cout], new Float32Array(u.cout).fill(1), false);
      }
    }
    const det = spec.layers[spec.layers.length - 1]!;
    const no = spec.no;
    det.detectChannels!.forEach((cin, l) => {
      const cout = spec.na * no;
      const bound = 1 / Math.sqrt(cin);
      const w = draw(rng, cin * cout, bound);
      const b = draw(rng, cout, bound);
      const s = spec.strides[l]!;
      for (let a = 0; a < spec.na; a++) {
        b[a * no + 4]! += Math.log(8 / (640 / s) ** 2);
        for (let c = 5; c < no; c++) b[a * no + c]! += Math.log(0.6 / (spec.nc - 0.99));
      }
      m.addVar(`model.${det.index}.m.${l}.weight`, [1, 1, cin, cout], w, true);
      m.addVar(`model.${det.index}.m.${l}.bias`, [cout], b, true);
    });
    return m;
  }

  /**
   * A deep copy (same spec, names, anchors, fused state, frozen layers; variables copied on the backend, no CPU round
   * trip), e.g. for the trainer's EMA model. Dispose it separately.
   */
  clone(): YoloModel {
    this.checkAlive();
    const m = new YoloModel(this.spec, this.names);
    m.anchors = this.anchors.map((l) => l.map((a) => [...a]));
    m.fused = this.fused;
    m.convKernel = this.convKernel;
    for (const [name, v] of this.vars) {
      const t = tf.clone(v);
      m.vars.set(name, tf.variable(t, v.trainable));
      t.dispose();
    }
    for (const i of this.frozenLayers) m.frozenLayers.add(i);
    return m;
  }

  private addVar(name: string, shape: number[], data: Float32Array, trainable: boolean): void {
    const t = tf.tensor(data, shape, 'float32');
    this.vars.set(name, tf.variable(t, trainable));
    t.dispose();
  }

  private v(name: string): tf.Variable {
    const x = this.vars.get(name);
    if (!x) throw new Error(`internal: no variable ${name}`);
    return x;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('this YoloModel has been disposed');
  }

  /** Number of output levels / anchors per level. */
  get nl(): number {
    return this.spec.nl;
  }
  get na(): number {
    return this.spec.na;
  }

  /** Variable names in build order (the original's state_dict order, without num_batches_tracked). */
  variableNames(): string[] {
    return [...this.vars.keys()];
  }

  /** All variables, name → variable (the model owns them). */
  variables(): ReadonlyMap<string, tf.Variable> {
    return this.vars;
  }

  /** Trainable parameters (BN running stats excluded), as the original's `sum(p.numel() for p in parameters())`. */
  parameterCount(): number {
    let n = 0;
    for (const [name, v] of this.vars) if (!name.endsWith('.running_mean') && !name.endsWith('.running_var')) n += v.size;
    return n;
  }

  /**
   * Freezes the layers with these row indices (the original's `freeze = ['model.N.', …]`): their variables get
   * `trainable = false` and leave {@link variableGroups}. Replaces any earlier freeze.
   */
  freeze(layerIndices: readonly number[]): void {
    for (const i of layerIndices) {
      if (!Number.isInteger(i) || i < 0 || i >= this.spec.layers.length) throw new VigilUserError(`cannot freeze layer ${i}: the model has layers 0…${this.spec.layers.length - 1}`);
    }
    this.frozenLayers.clear();
    for (const i of layerIndices) this.frozenLayers.add(i);
    for (const [name, v] of this.vars) {
      if (name.endsWith('.running_mean') || name.endsWith('.running_var')) continue;
      v.trainable = !this.frozenLayers.has(layerOf(name));
    }
  }

  /** Row indices currently frozen. */
  frozen(): number[] {
    return [...this.frozenLayers].sort((a, b) => a - b);
  }

  /** Trainable variables split into the original's optimiser groups (frozen layers excluded). */
  variableGroups(): VariableGroups {
    const g: VariableGroups = { bnWeights: [], weights: [], biases: [] };
    for (const [name, variable] of this.vars) {
      if (!variable.trainable) continue;
      if (name.endsWith('.bias')) g.biases.push({ name, variable });
      else if (name.endsWith('.bn.weight')) g.bnWeights.push({ name, variable });
      else if (name.endsWith('.weight')) g.weights.push({ name, variable });
    }
    return g;
  }

  /** Copies of every state tensor (our layout), name → tensor data; BN running stats included. */
  getWeights(): Map<string, WeightTensor> {
    this.checkAlive();
    const out = new Map<string, WeightTensor>();
    for (const [name, v] of this.vars) out.set(name, { shape: [...v.shape], data: v.dataSync() as Float32Array });
    return out;
  }

  /**
   * Sets state tensors by name (our layout). Every given name must exist with the same shape; `strict` (default)
   * also requires every model tensor to be given.
   */
  setWeights(weights: ReadonlyMap<string, WeightTensor>, options: { strict?: boolean; source?: string } = {}): void {
    this.checkAlive();
    const src = options.source ?? 'weights';
    for (const [name, w] of weights) {
      const v = this.vars.get(name);
      if (!v) throw new VigilUserError(`${src}: tensor "${name}" does not exist in this model (${this.fused ? 'fused' : 'unfused'}, nc=${this.nc}); check --cfg / nc`);
      if (!sameShape(v.shape, w.shape)) throw new VigilUserError(`${src}: tensor "${name}" has shape [${w.shape}] but the model expects [${v.shape}]; check --cfg / nc`);
      if (w.data.length !== v.size) throw new VigilUserError(`${src}: tensor "${name}" holds ${w.data.length} values for shape [${w.shape}]`);
    }
    if (options.strict !== false) {
      const missing = [...this.vars.keys()].filter((n) => !weights.has(n));
      if (missing.length) throw new VigilUserError(`${src}: ${missing.length} model tensors are missing (first: ${missing.slice(0, 3).join(', ')})`);
    }
    for (const [name, w] of weights) {
      const v = this.vars.get(name)!;
      const t = tf.tensor(w.data, v.shape, 'float32');
      v.assign(t);
      t.dispose(); // the variable keeps its own reference to the data
    }
  }

  /**
   * Conv unit forward. `train` = batch statistics (and running-stat updates when `update`). `focus`: the unit is a
   * Focus layer's and `x` is the layer's input before the space-to-depth, computed as the equivalent strided
   * convolution ({@link focusFilter}).
   */
  private conv(x: tf.Tensor4D, u: ConvUnit, mode: 'train' | 'eval', update: boolean, focus = false): tf.Tensor4D {
    const w0 = this.v(`${u.prefix}.conv.weight`) as tf.Tensor4D;
    const w = focus ? focusFilter(w0) : w0;
    const stride = focus ? 2 * u.s : u.s;
    const pad = focus ? 2 * u.p : u.p;
    const kernels = this.convKernel === 'auto';
    if (mode === 'eval' && kernels && hasConvBnSiluKernel()) {
      if (this.fused) return convBnSiluEval({ x, filter: w, bias: this.v(`${u.prefix}.conv.bias`) as tf.Tensor1D, stride, pad });
      const gamma = this.v(`${u.prefix}.bn.weight`);
      const scale = tf.div(gamma, tf.sqrt(tf.add(this.v(`${u.prefix}.bn.running_var`), BN_EPS))) as tf.Tensor1D;
      const bias = tf.sub(this.v(`${u.prefix}.bn.bias`), tf.mul(this.v(`${u.prefix}.bn.running_mean`), scale)) as tf.Tensor1D;
      return convBnSiluEval({ x, filter: w, scale, bias, stride, pad });
    }
    if (mode === 'train' && kernels && !this.fused && hasBnSiluKernel(w.shape[3])) {
      const gamma = this.v(`${u.prefix}.bn.weight`) as tf.Tensor1D, beta = this.v(`${u.prefix}.bn.bias`) as tf.Tensor1D;
      const [y, mean, variance] = tf.tidy(() => bnSiluTrain(tf.conv2d(x, w, stride, [[0, 0], [pad, pad], [pad, pad], [0, 0]]), gamma, beta, BN_EPS));
      if (update) this.updateRunningStatsHost(u, mean, variance, y.shape[0] * y.shape[1] * y.shape[2]);
      return y;
    }
    let y = conv2dSym(x, w, stride, pad);
    if (this.fused) {
      y = tf.add(y, this.v(`${u.prefix}.conv.bias`));
    } else if (mode === 'eval') {
      y = tf.batchNorm4d(y, this.v(`${u.prefix}.bn.running_mean`) as tf.Tensor1D, this.v(`${u.prefix}.bn.running_var`) as tf.Tensor1D, this.v(`${u.prefix}.bn.bias`) as tf.Tensor1D, this.v(`${u.prefix}.bn.weight`) as tf.Tensor1D, BN_EPS);
    } else {
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      y = tf.add(tf.mul(tf.mul(tf.sub(y, mean), tf.rsqrt(tf.add(variance, BN_EPS))), this.v(`${u.prefix}.bn.weight`)), this.v(`${u.prefix}.bn.bias`));
      if (update) this.updateRunningStats(u, mean as tf.Tensor1D, variance as tf.Tensor1D, y.size / u.cout);
    }
    return silu(y);
  }

  /** PyTorch's BatchNorm running-stat update from the batch mean and biased variance of `count` values a channel. */
  private updateRunningStats(u: ConvUnit, mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
    const rm = this.v(`${u.prefix}.bn.running_mean`);
    const rv = this.v(`${u.prefix}.bn.running_var`);
    // PyTorch: running_var uses the unbiased batch variance.
    const vUnbiased = tf.mul(variance, count > 1 ? count / (count - 1) : 1);
    rm.assign(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
    rv.assign(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(vUnbiased, BN_MOMENTUM)));
  }

  /**
   * {@link updateRunningStats} with the same float32 arithmetic done on the host: only on the fused training kernel's
   * path, whose backend keeps tensors in CPU memory (reading C-element vectors is a copy). There, the seven tiny ops
   * a layer (and the copies the gradient tape saves of their inputs) cost ~5 % of a yolov5n6 step; this is two reads
   * and two writes of C values. Bit-identical to the op form (products of float32 are exact in float64, then rounded).
   */
  private updateRunningStatsHost(u: ConvUnit, mean: tf.Tensor1D, variance: tf.Tensor1D, count: number): void {
    const rm = this.v(`${u.prefix}.bn.running_mean`);
    const rv = this.v(`${u.prefix}.bn.running_var`);
    const f = Math.fround;
    const keep = f(1 - BN_MOMENTUM);
    const mom = f(BN_MOMENTUM);
    const corr = f(count > 1 ? count / (count - 1) : 1);
    const m0 = rm.dataSync();
    const v0 = rv.dataSync();
    const mu = mean.dataSync();
    const va = variance.dataSync();
    const m1 = new Float32Array(m0.length);
    const v1 = new Float32Array(v0.length);
    for (let c = 0; c < m1.length; c++) {
      m1[c] = f(m0[c]! * keep) + f(mu[c]! * mom);
      v1[c] = f(v0[c]! * keep) + f(f(va[c]! * corr) * mom);
    }
    rm.assign(tf.tensor1d(m1));
    rv.assign(tf.tensor1d(v1));
  }

  /** Runs the layers; returns the raw per-level Detect maps `[B, ny, nx, na, no]`. */
  private runLayers(x: tf.Tensor4D, mode: 'train' | 'eval', update: boolean): tf.Tensor5D[] {
    this.checkAlive();
    if (x.rank !== 4 || x.shape[3] !== this.spec.ch) throw new VigilUserError(`model input must be [B, H, W, ${this.spec.ch}] (NHWC), got [${x.shape}]`);
    const maxStride = Math.max(...this.strides);
    if (x.shape[1] % maxStride !== 0 || x.shape[2] % maxStride !== 0) {
      throw new VigilUserError(`model input ${x.shape[2]}×${x.shape[1]} (W×H) must be a multiple of the largest stride ${maxStride}`);
    }
    const spec = this.spec;
    const saved = new Set(spec.save);
    const outs: (tf.Tensor4D | undefined)[] = [];
    let prev: tf.Tensor4D = x;
    let result: tf.Tensor5D[] = [];
    for (const layer of spec.layers) {
      const units = this.units[layer.index]!;
      const input = (j: number) => (layer.inputs[j] === layer.index - 1 || layer.inputs[j] === -1 ? prev : outs[layer.inputs[j]!]!);
      let y: tf.Tensor4D;
      switch (layer.module) {
        case 'Conv': {
          y = input(0);
          for (const u of units) y = this.conv(y, u, mode, update);
          break;
        }
        case 'Focus': {
          // Training runs the equivalent strided convolution (faster backward, focusFilter); evaluation keeps the
          // original's space-to-depth + conv, whose rounding reproduces the original predict.py's JSON exactly.
          const u = units[0]!;
          y = mode === 'train' ? this.conv(input(0), u, mode, update, true) : this.conv(spaceToDepthFocus(input(0)), u, mode, update);
          break;
        }
        case 'Bottleneck': {
          y = input(0);
          for (let j = 0; j < units.length; j += 2) {
            const h = this.conv(this.conv(y, units[j]!, mode, update), units[j + 1]!, mode, update);
            y = layer.shortcut ? tf.add(y, h) : h;
          }
          break;
        }
        case 'C3': {
          const xin = input(0);
          let a = this.conv(xin, units[0]!, mode, update);
          const b = this.conv(xin, units[1]!, mode, update);
          for (let r = 0; r < layer.repeats!; r++) {
            const h = this.conv(this.conv(a, units[3 + 2 * r]!, mode, update), units[4 + 2 * r]!, mode, update);
            a = layer.shortcut ? tf.add(a, h) : h;
          }
          y = this.conv(tf.concat([a, b], 3), units[2]!, mode, update);
          break;
        }
        case 'SPP':
        case 'SPPF': {
          const h = this.conv(input(0), units[0]!, mode, update);
          const parts: tf.Tensor4D[] = [h];
          if (layer.module === 'SPP') {
            for (const k of layer.poolKernels!) parts.push(tf.maxPool(h, k, 1, 'same'));
          } else {
            const k = layer.poolKernels![0]!;
            for (let r = 0; r < 3; r++) parts.push(tf.maxPool(parts[parts.length - 1]!, k, 1, 'same'));
          }
          y = this.conv(tf.concat(parts, 3), units[1]!, mode, update);
          break;
        }
        case 'Concat':
          y = tf.concat(layer.inputs.map((_, j) => input(j)), 3);
          break;
        case 'Upsample':
          y = tf.image.resizeNearestNeighbor(input(0), [input(0).shape[1] * layer.scale!, input(0).shape[2] * layer.scale!]);
          break;
        case 'Detect': {
          result = layer.inputs.map((_, l) => {
            const xi = input(l);
            const z = tf.add(tf.conv2d(xi, this.v(`model.${layer.index}.m.${l}.weight`) as tf.Tensor4D, 1, 'valid'), this.v(`model.${layer.index}.m.${l}.bias`));
            return tf.reshape(z, [xi.shape[0], xi.shape[1], xi.shape[2], spec.na, spec.no]) as tf.Tensor5D;
          });
          y = prev;
          break;
        }
      }
      if (saved.has(layer.index)) outs[layer.index] = y;
      prev = y;
    }
    return result;
  }

  /**
   * Train-mode forward: BN uses batch statistics (and updates its running statistics unless `updateStats: false`).
   * @param x `[B, H, W, ch]` float32 0–1, H and W multiples of the largest stride.
   * @returns `nl` raw maps `[B, ny, nx, na, 5+nc]` (logits); the caller disposes them.
   */
  forwardTrain(x: tf.Tensor4D, options: TrainForwardOptions = {}): tf.Tensor5D[] {
    if (this.fused) throw new Error('a fused model is for inference only: train mode needs BatchNorm');
    return tf.tidy(() => this.runLayers(x, 'train', options.updateStats !== false));
  }

  /**
   * Eval-mode forward (BN running statistics; the registered Conv+BN+SiLU kernel when there is one).
   * @returns decoded `[B, N, 5+nc]` (see {@link EvalOutput}) and, with `raw: true`, the raw maps; the caller disposes them.
   */
  forwardEval(x: tf.Tensor4D, options: { raw?: boolean } = {}): EvalOutput {
    const list = tf.tidy(() => {
      const raw = this.runLayers(x, 'eval', false);
      const decoded = decodeOutputs(raw, this.strides, this.anchorsPx());
      return options.raw ? [decoded, ...raw] : [decoded];
    });
    const out: EvalOutput = { decoded: list[0] as tf.Tensor3D };
    if (options.raw) out.raw = list.slice(1) as tf.Tensor5D[];
    return out;
  }

  /** Decoded eval output `[B, N, 5+nc]` only. */
  predict(x: tf.Tensor4D): tf.Tensor3D {
    return this.forwardEval(x).decoded;
  }

  /** Anchors in pixels `[nl][na][2]`. */
  anchorsPx(): number[][][] {
    return this.anchors.map((lvl, l) => lvl.map(([w, h]) => [w! * this.strides[l]!, h! * this.strides[l]!]));
  }

  /**
   * Folds every BatchNorm into its conv for inference (the original's `Model.fuse` / `fuse_conv_and_bn`):
   * W' = W·γ/√(var+eps) per output channel, b' = β − γ·μ/√(var+eps). In place; afterwards only eval mode works.
   */
  fuse(): this {
    this.checkAlive();
    if (this.fused) return this;
    for (const units of this.units) {
      for (const u of units) {
        const p = u.prefix;
        const [w2, b2] = tf.tidy(() => {
          const scale = tf.div(this.v(`${p}.bn.weight`), tf.sqrt(tf.add(this.v(`${p}.bn.running_var`), BN_EPS)));
          const w = tf.mul(this.v(`${p}.conv.weight`), scale);
          const b = tf.sub(this.v(`${p}.bn.bias`), tf.mul(this.v(`${p}.bn.running_mean`), scale));
          return [w, b];
        });
        this.v(`${p}.conv.weight`).assign(w2!);
        w2!.dispose();
        this.vars.set(`${p}.conv.bias`, tf.variable(b2!, false));
        b2!.dispose();
        for (const s of ['weight', 'bias', 'running_mean', 'running_var']) {
          this.vars.get(`${p}.bn.${s}`)!.dispose();
          this.vars.delete(`${p}.bn.${s}`);
        }
      }
    }
    // Order as the original's fused state_dict: each conv's bias right after its weight.
    const order = new Map(this.fusedNameOrder().map((n, i) => [n, i]));
    const entries = [...this.vars.entries()].sort((a, b) => order.get(a[0])! - order.get(b[0])!);
    this.vars.clear();
    for (const [k, v] of entries) this.vars.set(k, v);
    for (const v of this.vars.values()) v.trainable = false;
    this.fused = true;
    return this;
  }

  private fusedNameOrder(): string[] {
    const names: string[] = [];
    for (const units of this.units) for (const u of units) names.push(`${u.prefix}.conv.weight`, `${u.prefix}.conv.bias`);
    const det = this.spec.layers[this.spec.layers.length - 1]!;
    for (let l = 0; l < this.spec.nl; l++) names.push(`model.${det.index}.m.${l}.weight`, `model.${det.index}.m.${l}.bias`);
    return names;
  }

  /** Frees every variable. */
  dispose(): void {
    if (this.disposed) return;
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.disposed = true;
  }
}

/** Layer (row) index of a variable name `model.N.…`. */
export function layerOf(name: string): number {
  const m = /^model\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : -1;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** x·σ(x). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * PyTorch Conv2d with symmetric zero padding `p` on NHWC/HWIO: stride-1 odd kernels with p = k//2 use 'same' (which is
 * symmetric there); otherwise an explicit tf.pad and 'valid' (tfjs 'same' pads asymmetrically for stride 2).
 */
export function conv2dSym(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, p: number): tf.Tensor4D {
  const k = w.shape[0];
  if (p === 0) return tf.conv2d(x, w, stride, 'valid');
  if (stride === 1 && k % 2 === 1 && p === (k - 1) / 2) return tf.conv2d(x, w, 1, 'same');
  return tf.conv2d(tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]), w, stride, 'valid');
}

/**
 * The filter of the strided convolution on a Focus layer's input that equals its convolution on the space-to-depth
 * ({@link spaceToDepthFocus}): a k×k, stride s, pad p convolution of `[B, H/2, W/2, 4C]` is the 2k×2k, stride 2s,
 * pad 2p convolution of `[B, H, W, C]` with F[2i + dy, 2j + dx, c, o] = W[i, j, (dx·2 + dy)·C + c, o] (YOLOv5 v6 made
 * the same replacement). Faster here: no transpose of the input, and 3-channel rather than 12-channel filter
 * gradients (oneDNN: 3.8 → 1.7 ms for yolov5n6's stem at 320, batch 8). Differentiable (a reshape and transpose of the
 * small filter). `w` `[k, k, 4C, O]` → `[2k, 2k, C, O]`.
 */
export function focusFilter(w: tf.Tensor4D): tf.Tensor4D {
  const [k, k2, c4, o] = w.shape;
  const c = c4 / 4;
  return tf.reshape(tf.transpose(tf.reshape(w, [k, k2, 2, 2, c, o]), [0, 3, 1, 2, 4, 5]), [2 * k, 2 * k2, c, o]);
}

/**
 * The original's Focus slicing `cat(x[::2, ::2], x[1::2, ::2], x[::2, 1::2], x[1::2, 1::2])` as a reshape/transpose
 * (tfjs has no gradient for strided slices): `[B, H, W, C]` → `[B, H/2, W/2, 4C]`, channel = (dx·2 + dy)·C + c.
 */
export function spaceToDepthFocus(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const r = tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]);
  return tf.reshape(tf.transpose(r, [0, 1, 3, 4, 2, 5]), [b, h / 2, w / 2, 4 * c]);
}

/**
 * Detect decode (models/yolo.py Detect.forward, inference branch): σ, xy = (2σ − 0.5 + grid)·stride,
 * wh = (2σ)²·anchor_px. `raw[l]` `[B, ny, nx, na, no]` → `[B, Σ ny·nx·na, no]`, rows in (level, y, x, anchor) order.
 */
export function decodeOutputs(raw: tf.Tensor5D[], strides: number[], anchorsPx: number[][][]): tf.Tensor3D {
  return tf.tidy(() => {
    const parts = raw.map((r, l) => {
      const [b, ny, nx, na, no] = r.shape;
      const y = tf.sigmoid(r);
      const gx = tf.reshape(tf.range(0, nx, 1, 'float32'), [1, nx, 1, 1]);
      const gy = tf.reshape(tf.range(0, ny, 1, 'float32'), [ny, 1, 1, 1]);
      const grid = tf.concat([tf.tile(gx, [ny, 1, 1, 1]), tf.tile(gy, [1, nx, 1, 1])], 3); // [ny, nx, 1, 2] (x, y)
      const [xy, wh, rest] = tf.split(y, [2, 2, no - 4], 4);
      const xyD = tf.mul(tf.add(tf.sub(tf.mul(xy!, 2), 0.5), grid), strides[l]!);
      const anchor = tf.tensor(anchorsPx[l]!.flat(), [na, 2], 'float32');
      const whD = tf.mul(tf.square(tf.mul(wh!, 2)), anchor);
      return tf.reshape(tf.concat([xyD, whD, rest!], 4), [b, ny * nx * na, no]);
    });
    return tf.concat(parts, 1) as tf.Tensor3D;
  });
}
