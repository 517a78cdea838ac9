import { readFileSync } from 'node:fs';
import { VigilUserError, roundHalfEven } from '@vigil/core';
import { parse as parseYaml } from 'yaml';

/**
 * YOLOv5 model specs: the original's YAML format (models/yolo.py `parse_model`): `nc, depth_multiple, width_multiple,
 * anchors, backbone, head`, each row `[from, number, module, args]`. {@link resolveSpec} applies the depth gain
 * (n = max(round(n·gd), 1) for n > 1, Python rounding) and the width gain (c2 = ceil(c2·gw/8)·8, except a row whose
 * output equals the Detect output), and works out every layer's input/output channels and spatial stride, so that
 * parameter counts and shapes are known without building weights.
 */

/** Module kinds we build. Names as in the yaml (`nn.Upsample` is accepted for `Upsample`). */
export type ModuleKind = 'Focus' | 'Conv' | 'Bottleneck' | 'C3' | 'SPP' | 'SPPF' | 'Concat' | 'Upsample' | 'Detect';
const MODULE_KINDS: readonly ModuleKind[] = ['Focus', 'Conv', 'Bottleneck', 'C3', 'SPP', 'SPPF', 'Concat', 'Upsample', 'Detect'];

/** A yaml row as written: `[from, number, module, args]`. */
export type SpecRow = [number | number[], number, string, unknown[]];

/** The spec as parsed from yaml (serialisable; what checkpoints store). */
export interface ModelSpecConfig {
  nc: number;
  depth_multiple: number;
  width_multiple: number;
  /** Pixels, one row per output level: `[w0,h0, w1,h1, …]`. (An integer = number of anchors is not supported.) */
  anchors: number[][];
  backbone: SpecRow[];
  head: SpecRow[];
  /** Input channels (default 3). */
  ch?: number;
}

/** One resolved layer (= one yaml row; its index is the original's `model.N`). */
export interface LayerSpec {
  index: number;
  /** `from` as written (−1 = previous layer). */
  from: number | number[];
  /** Absolute indices of the inputs (−1 = the network input, only for row 0). */
  inputs: number[];
  /** Repeats after the depth gain (as the original prints it; C3 carries it in `repeats`). */
  n: number;
  module: ModuleKind;
  /** Module arguments after scaling, as the original prints them (`[c1, c2, …]`). */
  args: unknown[];
  /** Input channels (sum for Concat; list per input for Detect in `detectChannels`). */
  c1: number;
  /** Output channels. */
  c2: number;
  /** Conv/Focus kernel, stride, padding. */
  k?: number;
  s?: number;
  p?: number;
  /** C3 / Bottleneck: number of bottlenecks, shortcut flag, expansion. */
  repeats?: number;
  shortcut?: boolean;
  e?: number;
  /** SPP kernels (SPPF: one kernel applied 3 times). */
  poolKernels?: number[];
  /** Upsample factor. */
  scale?: number;
  /** Detect: channels of each input level. */
  detectChannels?: number[];
  /** Cumulative stride of this layer's output relative to the input (from the shape dry run). */
  stride: number;
  /** Trainable parameter count of the row (as the original's `np`). */
  params: number;
}

/** A spec with every layer resolved. */
export interface ResolvedSpec {
  config: ModelSpecConfig;
  nc: number;
  ch: number;
  /** Number of output levels and anchors per level. */
  nl: number;
  na: number;
  /** Outputs per anchor: 5 + nc. */
  no: number;
  layers: LayerSpec[];
  /** Layers whose outputs are needed later (the original's `save` list). */
  save: number[];
  /** Detect strides from a 256×256 dry run, e.g. [8, 16, 32, 64]. */
  strides: number[];
  /** Anchors in pixels `[nl][na][2]`, after the original's order check (reversed if their area order disagrees with the strides). */
  anchorsPx: number[][][];
  /** Total trainable parameters. */
  params: number;
  /** Where the spec came from (for messages). */
  source: string;
}

/**
 * Bounds on spec values, far above every YOLOv5 model (x6: multiples 1.33 / 1.25, 1280 channels, 4 levels × 3
 * anchors, 4 repeats), so that a damaged or crafted spec fails with a message instead of allocating gigabytes.
 */
export const SPEC_LIMITS = { multiple: 8, nc: 100_000, channels: 16_384, repeats: 64, kernel: 15, rows: 256, levels: 8, anchorsPerLevel: 16 } as const;

/** Python's round(): halves go to the even neighbour (@vigil/core's `roundHalfEven`). */
export const pyRound = roundHalfEven;

/** The original's make_divisible(x, d) = ceil(x / d) · d. */
export function makeDivisible(x: number, divisor = 8): number {
  return Math.ceil(x / divisor) * divisor;
}

function isNumArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Parses yaml text in the original's format; `source` names the file in errors. */
export function parseSpecYaml(text: string, source = '<spec>'): ModelSpecConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new VigilUserError(`${source}: not valid YAML (${(e as Error).message.split('\n')[0]}); fix the file or use a shipped spec`, source);
  }
  return validateSpecConfig(doc, source);
}

/** Reads and parses a spec file. */
export function loadSpecFile(path: string): ModelSpecConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new VigilUserError(`model spec ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass an existing .yaml (see libs/yolov5/specs)`, path);
  }
  return parseSpecYaml(text, path);
}

/** Checks the top-level shape of a spec object (from yaml or a checkpoint). */
export function validateSpecConfig(doc: unknown, source = '<spec>'): ModelSpecConfig {
  const fail = (what: string): never => {
    throw new VigilUserError(`${source}: ${what}`, source);
  };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('a model spec must be a mapping with nc, depth_multiple, width_multiple, anchors, backbone, head');
  const d = doc as Record<string, unknown>;
  for (const key of ['nc', 'depth_multiple', 'width_multiple'] as const) {
    if (typeof d[key] !== 'number' || !Number.isFinite(d[key]) || (d[key] as number) <= 0) fail(`"${key}" must be a positive number, got ${JSON.stringify(d[key])}`);
  }
  for (const key of ['depth_multiple', 'width_multiple'] as const) {
    if ((d[key] as number) > SPEC_LIMITS.multiple) fail(`"${key}" ${String(d[key])} is out of range (0, ${SPEC_LIMITS.multiple}] (yolov5x uses 1.33 / 1.25)`);
  }
  if (!Number.isInteger(d['nc'])) fail(`"nc" must be an integer, got ${String(d['nc'])}`);
  if ((d['nc'] as number) > SPEC_LIMITS.nc) fail(`"nc" ${String(d['nc'])} is out of range [1, ${SPEC_LIMITS.nc}]`);
  const anchors = d['anchors'];
  if (!Array.isArray(anchors) || anchors.length === 0 || !anchors.every(isNumArray)) {
    fail('"anchors" must be a list of rows of pixel sizes [w0,h0, w1,h1, …], one row per output level');
  }
  const a = anchors as number[][];
  if (a.some((r) => r.length === 0 || r.length % 2 !== 0 || r.length !== a[0]!.length)) fail('every "anchors" row must hold the same even number of values (w,h pairs)');
  for (const part of ['backbone', 'head'] as const) {
    if (!Array.isArray(d[part])) fail(`"${part}" must be a list of rows [from, number, module, args]`);
  }
  if (a.length > SPEC_LIMITS.levels || a[0]!.length / 2 > SPEC_LIMITS.anchorsPerLevel) fail(`"anchors" has ${a.length} levels of ${a[0]!.length / 2}; at most ${SPEC_LIMITS.levels} levels of ${SPEC_LIMITS.anchorsPerLevel} are supported`);
  if (a.some((r) => r.some((v) => !(v > 0)))) fail('"anchors" sizes must be positive');
  const ch = d['ch'] ?? 3;
  if (!Number.isInteger(ch) || (ch as number) < 1 || (ch as number) > SPEC_LIMITS.channels) fail(`"ch" must be an integer in [1, ${SPEC_LIMITS.channels}], got ${String(ch)}`);
  const rows = (d['backbone'] as unknown[]).length + (d['head'] as unknown[]).length;
  if (rows > SPEC_LIMITS.rows) fail(`${rows} rows; at most ${SPEC_LIMITS.rows} are supported`);
  return {
    nc: d['nc'] as number,
    depth_multiple: d['depth_multiple'] as number,
    width_multiple: d['width_multiple'] as number,
    anchors: a.map((r) => [...r]),
    backbone: structuredClone(d['backbone']) as SpecRow[],
    head: structuredClone(d['head']) as SpecRow[],
    ...(d['ch'] !== undefined ? { ch: ch as number } : {}),
  };
}

/** Parameters of a Conv(c1, c2, k) unit: conv weight (no bias) + BN γ, β. */
function convParams(c1: number, c2: number, k: number): number {
  return c1 * c2 * k * k + 2 * c2;
}

function c3Params(c1: number, c2: number, n: number, e: number): number {
  const c = Math.trunc(c2 * e);
  return convParams(c1, c, 1) * 2 + convParams(2 * c, c2, 1) + n * (convParams(c, c, 1) + convParams(c, c, 3));
}

/** Evaluates a string argument the way the original's `eval` would for the names specs use. */
function evalArg(a: unknown, nc: number, anchors: number[][]): unknown {
  if (typeof a !== 'string') return a;
  switch (a) {
    case 'nc':
      return nc;
    case 'anchors':
      return anchors;
    case 'None':
      return null;
    case 'True':
      return true;
    case 'False':
      return false;
    default:
      return a;
  }
}

/** Output spatial size of a conv/pool (PyTorch floor formula). */
function convOut(size: number, k: number, s: number, p: number): number {
  return Math.floor((size + 2 * p - k) / s) + 1;
}

export interface ResolveSpecOptions {
  /** Overrides the yaml's nc (the original's `Model(cfg, nc=…)`). */
  nc?: number;
  /** Overrides the yaml's anchors. */
  anchors?: number[][];
  /** Names the spec in errors. */
  source?: string;
}

/**
 * Resolves a spec (the original's `parse_model` plus the stride dry run and `check_anchor_order`): every row's module,
 * scaled channels and repeats, inputs, parameter count and stride. Throws a {@link VigilUserError} naming the row
 * for unknown modules and malformed rows.
 */
export function resolveSpec(configIn: ModelSpecConfig, options: ResolveSpecOptions = {}): ResolvedSpec {
  const source = options.source ?? '<spec>';
  const config = validateSpecConfig(configIn, source);
  if (options.nc !== undefined) {
    if (!Number.isInteger(options.nc) || options.nc < 1) throw new VigilUserError(`--nc must be a positive integer, got ${String(options.nc)}`);
    config.nc = options.nc;
  }
  if (options.anchors) config.anchors = validateSpecConfig({ ...config, anchors: options.anchors }, source).anchors;
  const { nc, depth_multiple: gd, width_multiple: gw, anchors } = config;
  const chIn = config.ch ?? 3;
  const na = anchors[0]!.length / 2;
  const no = na * (nc + 5);
  const rows = [...config.backbone, ...config.head];
  const nb = config.backbone.length;
  const layers: LayerSpec[] = [];
  const chs: number[] = [];
  const sizes: number[] = []; // spatial size of each layer's output in the 256×256 dry run
  const save = new Set<number>();
  const DRY = 256;

  rows.forEach((row, i) => {
    const where = `${source}: row ${i} (${i < nb ? `backbone[${i}]` : `head[${i - nb}]`}) ${JSON.stringify(row)}`;
    const fail = (what: string): never => {
      throw new VigilUserError(`${where}: ${what}`, source);
    };
    if (!Array.isArray(row) || row.length !== 4) fail('a row must be [from, number, module, args]');
    const [from, nRaw, moduleName, argsRaw] = row;
    if (!(Number.isInteger(from) || (Array.isArray(from) && from.length > 0 && from.every((x) => Number.isInteger(x))))) fail('"from" must be an integer or a list of integers');
    if (!Number.isInteger(nRaw) || nRaw < 1) fail('"number" must be a positive integer');
    if (typeof moduleName !== 'string') fail('"module" must be a module name');
    if (!Array.isArray(argsRaw)) fail('"args" must be a list');
    const name = moduleName.startsWith('nn.') ? moduleName.slice(3) : moduleName;
    if (!(MODULE_KINDS as readonly string[]).includes(name)) fail(`unknown module "${moduleName}": supported are ${MODULE_KINDS.join(', ')}`);
    const module = name as ModuleKind;
    const fromList = Array.isArray(from) ? from : [from];
    const inputs = fromList.map((f) => (f === -1 ? i - 1 : f < 0 ? i + f : f));
    for (const [j, x] of inputs.entries()) {
      if (i === 0 && fromList[j] === -1) continue;
      if (x < 0 || x >= i) fail(`"from" ${fromList[j]} must refer to an earlier layer (0…${i - 1})`);
    }
    if (module !== 'Concat' && module !== 'Detect' && fromList.length !== 1) fail(`${module} takes exactly one input`);
    const chOf = (x: number) => (x === -1 ? chIn : chs[x]!);
    const sizeOf = (x: number) => (x === -1 ? DRY : sizes[x]!);
    const c1 = chOf(inputs[0]!);
    const args = argsRaw.map((a) => evalArg(a, nc, anchors));
    let n = nRaw > 1 ? Math.max(pyRound(nRaw * gd), 1) : nRaw;
    if (n > SPEC_LIMITS.repeats) fail(`${n} repeats after depth_multiple ${gd}; at most ${SPEC_LIMITS.repeats} are supported`);
    const num = (j: number, dflt?: number): number => {
      const v = args[j] ?? dflt;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(`argument ${j} must be a non-negative integer, got ${JSON.stringify(args[j])}`);
      return v as number;
    };
    const bool = (j: number, dflt: boolean): boolean => {
      const v = args[j] ?? dflt;
      if (typeof v !== 'boolean') fail(`argument ${j} must be True/False, got ${JSON.stringify(args[j])}`);
      return v as boolean;
    };
    const scaledC2 = () => {
      const c = num(0);
      if (c < 1) fail('output channels must be ≥ 1');
      const c2 = c !== no ? makeDivisible(c * gw, 8) : c;
      if (c2 > SPEC_LIMITS.channels) fail(`${c2} output channels after width_multiple ${gw}; at most ${SPEC_LIMITS.channels} are supported`);
      return c2;
    };
    let layer: LayerSpec;
    const base = { index: i, from, inputs, stride: 0, params: 0 };
    let outSize = sizeOf(inputs[0]!);
    let unitParams = 0;
    switch (module) {
      case 'Conv':
      case 'Focus': {
        const c2 = scaledC2();
        const k = num(1, 1);
        const s = num(2, 1);
        const pArg = args[3];
        const p = pArg === undefined || pArg === null ? Math.floor(k / 2) : num(3);
        if (k < 1 || s < 1) fail('kernel and stride must be ≥ 1');
        if (k > SPEC_LIMITS.kernel || s > SPEC_LIMITS.kernel || p > SPEC_LIMITS.kernel) fail(`kernel, stride and padding must be ≤ ${SPEC_LIMITS.kernel}`);
        if ((args[4] ?? 1) !== 1) fail('grouped convolutions (g ≠ 1) are not supported');
        if (args[5] !== undefined && args[5] !== true) fail('only the default SiLU activation (act=True) is supported');
        const cin = module === 'Focus' ? c1 * 4 : c1;
        if (module === 'Focus') {
          if (outSize % 2 !== 0) fail('Focus needs an even input size');
          outSize /= 2;
        }
        outSize = convOut(outSize, k, s, p);
        unitParams = convParams(cin, c2, k);
        layer = { ...base, n, module, args: [c1, c2, ...args.slice(1)], c1, c2, k, s, p };
        break;
      }
      case 'Bottleneck':
      case 'C3': {
        const c2 = scaledC2();
        const shortcut = bool(1, true);
        if ((args[2] ?? 1) !== 1) fail('grouped convolutions (g ≠ 1) are not supported');
        const e = (args[3] ?? 0.5) as number;
        if (typeof e !== 'number' || !(e > 0) || e > 8) fail('expansion e must be a number in (0, 8]');
        if (module === 'C3') {
          unitParams = c3Params(c1, c2, n, e);
          layer = { ...base, n, module, args: [c1, c2, n, ...args.slice(1)], c1, c2, repeats: n, shortcut, e };
          n = 1;
          layer.n = n;
        } else {
          const c = Math.trunc(c2 * e);
          unitParams = convParams(c1, c, 1) + convParams(c, c2, 3);
          layer = { ...base, n, module, args: [c1, c2, ...args.slice(1)], c1, c2, shortcut: shortcut && c1 === c2, e };
        }
        break;
      }
      case 'SPP':
      case 'SPPF': {
        const c2 = scaledC2();
        let ks: number[];
        if (module === 'SPP') {
          const kArg = args[1] ?? [5, 9, 13];
          if (!isNumArray(kArg) || kArg.length === 0 || kArg.some((k) => !Number.isInteger(k) || k < 1 || k % 2 === 0 || k > SPEC_LIMITS.kernel)) fail(`SPP kernels must be a list of odd integers in [1, ${SPEC_LIMITS.kernel}]`);
          ks = kArg as number[];
        } else {
          const k = num(1, 5);
          if (k % 2 === 0 || k < 1 || k > SPEC_LIMITS.kernel) fail(`SPPF kernel must be odd and ≤ ${SPEC_LIMITS.kernel}`);
          ks = [k];
        }
        const c = Math.floor(c1 / 2);
        unitParams = convParams(c1, c, 1) + convParams(c * (module === 'SPP' ? ks.length + 1 : 4), c2, 1);
        layer = { ...base, n, module, args: [c1, c2, ...args.slice(1)], c1, c2, poolKernels: ks };
        break;
      }
      case 'Concat': {
        const dim = args[0] ?? 1;
        if (dim !== 1) fail('Concat is supported along the channel dimension (1) only');
        const s0 = sizeOf(inputs[0]!);
        if (inputs.some((x) => sizeOf(x) !== s0)) fail(`inputs have different spatial sizes in a 256×256 dry run (${inputs.map((x) => `${x}: ${sizeOf(x)}`).join(', ')})`);
        const c2 = inputs.reduce((acc, x) => acc + chOf(x), 0);
        if (c2 > SPEC_LIMITS.channels) fail(`${c2} output channels; at most ${SPEC_LIMITS.channels} are supported`);
        layer = { ...base, n, module, args, c1, c2 };
        break;
      }
      case 'Upsample': {
        const size = args[0];
        const scale = args[1];
        const mode = args[2] ?? 'nearest';
        if (size !== null && size !== undefined) fail('Upsample with a fixed size is not supported; use [None, factor, "nearest"]');
        if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 1 || scale > 8) fail('Upsample scale factor must be an integer in [1, 8]');
        if (mode !== 'nearest') fail(`Upsample mode "${String(mode)}" is not supported (only "nearest")`);
        outSize *= scale as number;
        layer = { ...base, n, module, args, c1, c2: c1, scale: scale as number };
        break;
      }
      case 'Detect': {
        if (i !== rows.length - 1) fail('Detect must be the last row');
        if (args[0] !== nc) fail(`Detect's first argument must be nc (${nc})`);
        if (args[1] !== anchors) fail('Detect\'s second argument must be "anchors"');
        if (fromList.length !== anchors.length) fail(`Detect has ${fromList.length} inputs but "anchors" has ${anchors.length} rows (one per level)`);
        const detectChannels = inputs.map(chOf);
        unitParams = detectChannels.reduce((acc, c) => acc + c * no + no, 0);
        layer = { ...base, n, module, args: [nc, anchors, detectChannels], c1, c2: no, detectChannels };
        break;
      }
    }
    if (n > 1 && (module === 'Concat' || module === 'Upsample' || module === 'Detect')) fail(`${module} cannot be repeated (number must be 1)`);
    if (n > 1 && (module === 'Conv' || module === 'Focus' || module === 'SPP' || module === 'SPPF' || module === 'Bottleneck') && layer.c1 !== layer.c2) {
      fail(`a repeated ${module} needs equal input and output channels (${layer.c1} → ${layer.c2})`);
    }
    if (outSize < 1) fail('the feature map vanishes in a 256×256 dry run (too many stride-2 layers)');
    layer.params = unitParams * n;
    layer.stride = DRY / outSize;
    layers.push(layer);
    fromList.forEach((f, j) => {
      if (f !== -1) save.add(inputs[j]!);
    });
    chs.push(layer.c2);
    sizes.push(module === 'Detect' ? sizeOf(inputs[0]!) : outSize);
  });

  const detect = layers[layers.length - 1];
  if (!detect || detect.module !== 'Detect') throw new VigilUserError(`${source}: the last row must be Detect`, source);
  const strides = detect.inputs.map((x) => DRY / sizes[x]!);
  let anchorsPx = config.anchors.map((r) => Array.from({ length: na }, (_, j) => [r[2 * j]!, r[2 * j + 1]!]));
  // check_anchor_order: anchor areas must grow with the stride; otherwise reverse the levels.
  const area = (lvl: number[][]) => lvl.map((a) => a[0]! * a[1]!);
  const flat = anchorsPx.flatMap(area);
  const da = flat[flat.length - 1]! - flat[0]!;
  const ds = strides[strides.length - 1]! - strides[0]!;
  if (Math.sign(da) !== Math.sign(ds)) anchorsPx = anchorsPx.slice().reverse();
  const params = layers.reduce((acc, l) => acc + l.params, 0);
  return { config, nc, ch: chIn, nl: anchors.length, na, no: nc + 5, layers, save: [...save].sort((a, b) => a - b), strides, anchorsPx, params, source };
}

/** Parses and resolves a spec file in one step. */
export function loadSpec(path: string, options: Omit<ResolveSpecOptions, 'source'> = {}): ResolvedSpec {
  return resolveSpec(loadSpecFile(path), { ...options, source: path });
}
