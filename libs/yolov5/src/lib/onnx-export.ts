import onnxProto from 'onnx-proto';
import { VigilUserError } from '@vigil/core';
import { encodeFloat16 } from './float16.js';
import { convUnitsOf, type ConvUnit, type WeightTensor, type YoloModel } from './model.js';
import { pyRepr } from './summary.js';

const { onnx } = onnxProto;
type AttrValue = number | number[] | string;

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** Input `[height, width]` in pixels (multiples of the largest stride); default 640×640. */
  imgSize?: [number, number];
  /** Batch, height and width as named dimensions (upstream's `--dynamic`): any batch and any stride multiple. */
  dynamic?: boolean;
  /** Store the weights as float16 (half the file); each is Cast to float32, so the graph computes in float32. */
  half?: boolean;
  /** Written into the model's `producer_version`. */
  producerVersion?: string;
}

/** The ONNX opset the graph is written for (Resize with scales input, Split with a split input, Squeeze axes input). */
export const ONNX_OPSET = 13;
/** ONNX's IR version that goes with opset 13. */
const IR_VERSION = 7;
const INT64_MAX = 9223372036854775807n;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Collects nodes and initializers of one graph, naming every value uniquely. */
class GraphBuilder {
  readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private count = 0;
  private readonly consts = new Map<string, string>();

  constructor(private readonly half: boolean) {}

  private fresh(prefix: string): string {
    return `${prefix}_${this.count++}`;
  }

  /** A float32 weight tensor (float16 + Cast when exporting `half`); returns the name of the float32 value. */
  weight(name: string, dims: number[], data: Float32Array): string {
    if (!this.half) {
      this.initializers.push(onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: bytesOf(data) }));
      return name;
    }
    this.initializers.push(onnx.TensorProto.create({ name: `${name}.fp16`, dims, dataType: FLOAT16, rawData: bytesOf(encodeFloat16(data)) }));
    return this.op('Cast', [`${name}.fp16`], { to: FLOAT }, name)[0]!;
  }

  /** A small constant (shapes, axes, scalars), shared between uses. */
  constant(values: readonly number[], type: 'int64' | 'float', dims: number[] = [values.length]): string {
    const key = `${type}:${dims.join('x')}:${values.join(',')}`;
    const known = this.consts.get(key);
    if (known) return known;
    const name = this.fresh(type === 'int64' ? 'const_i64' : 'const_f32');
    const rawData = type === 'int64' ? bytesOf(BigInt64Array.from(values, (v) => (v === Infinity ? INT64_MAX : BigInt(v)))) : bytesOf(Float32Array.from(values));
    this.initializers.push(onnx.TensorProto.create({ name, dims, dataType: type === 'int64' ? INT64 : FLOAT, rawData }));
    this.consts.set(key, name);
    return name;
  }

  /** Appends a node; returns its output names (`outputs` of them, the first named `name` when given). */
  op(type: string, inputs: string[], attrs: Record<string, AttrValue> = {}, name?: string, outputs = 1): string[] {
    const base = name ?? this.fresh(type.toLowerCase());
    const out = Array.from({ length: outputs }, (_, k) => (k === 0 ? base : `${base}_${k}`));
    const attribute = Object.entries(attrs).map(([key, v]) => attributeOf(key, v));
    this.nodes.push(onnx.NodeProto.create({ opType: type, input: inputs, output: out, name: `${type}_${this.nodes.length}`, attribute }));
    return out;
  }
}

function bytesOf(a: Float32Array | Uint16Array | BigInt64Array): Uint8Array {
  // Typed arrays are little-endian on every platform tfjs runs on, as ONNX's raw_data requires.
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function attributeOf(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  return onnx.AttributeProto.create({ name, type: T.INT, i: v });
}

/** HWIO `[k, k, Cin, Cout]` (ours) → OIHW `[Cout, Cin, k, k]` (ONNX / PyTorch). */
function hwioToOihw(w: WeightTensor): { dims: number[]; data: Float32Array } {
  const [h, wd, i, o] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let b = 0; b < i; b++)
        for (let a = 0; a < o; a++) out[((a * i + b) * h + y) * wd + x] = w.data[((y * wd + x) * i + b) * o + a]!;
  return { dims: [o, i, h, wd], data: out };
}

/**
 * Writes a YOLOv5 model as an ONNX graph (opset 13, NCHW), the form upstream's `export.py --include onnx` gives:
 * input `images` `[B, 3, H, W]` float32 0–1 (RGB), output `output` `[B, N, 5+nc]` float32 = cx, cy, w, h in input
 * pixels, objectness and class probabilities, rows level by level then (anchor, y, x) as PyTorch's Detect (our
 * `forwardEval` orders a level's rows (y, x, anchor)). Conv+BN are fused (W·γ/√(var+eps)), SiLU = Sigmoid·Mul, Focus
 * = four strided Slices + Concat, SPP/SPPF = MaxPool, Upsample = Resize nearest, Detect = Conv → Reshape/Transpose →
 * Sigmoid → (2σ − 0.5 + grid)·stride, (2σ)²·anchor, with the grid built from the feature map's shape (so `dynamic`
 * graphs work at any size) and the anchors as constants. `metadata_props` carry `stride` (the largest) and `names`
 * (a Python dict repr `{0: 'a', …}`) as upstream's export writes them. The model is not modified (an unfused model is
 * fused on a copy). Returns the serialised ModelProto.
 */
export function exportOnnx(model: YoloModel, options: OnnxExportOptions = {}): Uint8Array {
  const [H, W] = options.imgSize ?? [640, 640];
  const maxStride = Math.max(...model.strides);
  if (!(Number.isInteger(H) && Number.isInteger(W) && H > 0 && W > 0 && H % maxStride === 0 && W % maxStride === 0)) {
    throw new VigilUserError(`ONNX export: image size ${H}×${W} must be positive multiples of the model's largest stride ${maxStride} (e.g. --img ${Math.ceil(640 / maxStride) * maxStride})`);
  }
  const fusedModel = model.fused ? model : model.clone().fuse();
  try {
    return buildModel(fusedModel, H, W, options);
  } finally {
    if (fusedModel !== model) fusedModel.dispose();
  }
}

function buildModel(model: YoloModel, H: number, W: number, options: OnnxExportOptions): Uint8Array {
  const spec = model.spec;
  const weights = model.getWeights();
  const g = new GraphBuilder(options.half === true);
  const w = (name: string): WeightTensor => {
    const t = weights.get(name);
    if (!t) throw new Error(`internal: no tensor ${name} in the fused model`);
    return t;
  };
  const conv = (x: string, u: ConvUnit): string => {
    const kw = hwioToOihw(w(`${u.prefix}.conv.weight`));
    const b = w(`${u.prefix}.conv.bias`);
    const y = g.op('Conv', [x, g.weight(`${u.prefix}.conv.weight`, kw.dims, kw.data), g.weight(`${u.prefix}.conv.bias`, [u.cout], b.data)], {
      kernel_shape: [u.k, u.k],
      strides: [u.s, u.s],
      pads: [u.p, u.p, u.p, u.p],
      dilations: [1, 1],
      group: 1,
    })[0]!;
    return g.op('Mul', [y, g.op('Sigmoid', [y])[0]!])[0]!; // SiLU
  };
  const outs: string[] = [];
  let prev = 'images';
  const parts: string[] = [];
  for (const layer of spec.layers) {
    const units = convUnitsOf(layer);
    const input = (j: number) => (layer.inputs[j] === layer.index - 1 || layer.inputs[j] === -1 ? prev : outs[layer.inputs[j]!]!);
    let y: string;
    switch (layer.module) {
      case 'Conv':
        y = input(0);
        for (const u of units) y = conv(y, u);
        break;
      case 'Focus': {
        // cat(x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]) over (H, W)
        const x = input(0);
        const slices = [[0, 0], [1, 0], [0, 1], [1, 1]].map(([sh, sw]) =>
          g.op('Slice', [x, g.constant([sh!, sw!], 'int64'), g.constant([Infinity, Infinity], 'int64'), g.constant([2, 3], 'int64'), g.constant([2, 2], 'int64')])[0]!,
        );
        y = conv(g.op('Concat', slices, { axis: 1 })[0]!, units[0]!);
        break;
      }
      case 'Bottleneck':
        y = input(0);
        for (let j = 0; j < units.length; j += 2) {
          const h = conv(conv(y, units[j]!), units[j + 1]!);
          y = layer.shortcut ? g.op('Add', [y, h])[0]! : h;
        }
        break;
      case 'C3': {
        const xin = input(0);
        let a = conv(xin, units[0]!);
        const b = conv(xin, units[1]!);
        for (let r = 0; r < layer.repeats!; r++) {
          const h = conv(conv(a, units[3 + 2 * r]!), units[4 + 2 * r]!);
          a = layer.shortcut ? g.op('Add', [a, h])[0]! : h;
        }
        y = conv(g.op('Concat', [a, b], { axis: 1 })[0]!, units[2]!);
        break;
      }
      case 'SPP':
      case 'SPPF': {
        const h = conv(input(0), units[0]!);
        const pooled: string[] = [h];
        const pool = (x: string, k: number) => g.op('MaxPool', [x], { kernel_shape: [k, k], strides: [1, 1], pads: [k >> 1, k >> 1, k >> 1, k >> 1] })[0]!;
        if (layer.module === 'SPP') for (const k of layer.poolKernels!) pooled.push(pool(h, k));
        else for (let r = 0; r < 3; r++) pooled.push(pool(pooled[pooled.length - 1]!, layer.poolKernels![0]!));
        y = conv(g.op('Concat', pooled, { axis: 1 })[0]!, units[1]!);
        break;
      }
      case 'Concat':
        y = g.op('Concat', layer.inputs.map((_, j) => input(j)), { axis: 1 })[0]!;
        break;
      case 'Upsample':
        y = g.op('Resize', [input(0), '', g.constant([1, 1, layer.scale!, layer.scale!], 'float')], {
          mode: 'nearest',
          coordinate_transformation_mode: 'asymmetric',
          nearest_mode: 'floor',
        })[0]!;
        break;
      case 'Detect': {
        const anchorsPx = model.anchorsPx();
        layer.inputs.forEach((_, l) => parts.push(detectLevel(g, input(l), l, model, w, anchorsPx[l]!)));
        y = prev;
        break;
      }
    }
    outs[layer.index] = y;
    prev = y;
  }
  g.op('Concat', parts, { axis: 1 }, 'output');

  const dim = (v: number | string) => (typeof v === 'string' ? { dimParam: v } : { dimValue: v });
  const valueInfo = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map(dim) } } } });
  const rows = model.strides.reduce((n, s) => n + (H / s) * (W / s) * spec.na, 0);
  const graph = onnx.GraphProto.create({
    name: 'vigil-yolov5',
    node: g.nodes,
    initializer: g.initializers,
    input: [valueInfo('images', options.dynamic ? ['batch', spec.ch, 'height', 'width'] : [1, spec.ch, H, W])],
    output: [valueInfo('output', options.dynamic ? ['batch', 'anchors', spec.no] : [1, rows, spec.no])],
  });
  const names = `{${model.names.map((n, i) => `${i}: ${pyRepr(n)}`).join(', ')}}`;
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'vigil',
    producerVersion: options.producerVersion ?? '',
    graph,
    metadataProps: [
      { key: 'stride', value: String(Math.max(...model.strides)) },
      { key: 'names', value: names },
    ],
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** One Detect level: 1×1 conv → `[B, na, ny, nx, no]` → sigmoid → box decode → `[B, na·ny·nx, no]`. */
function detectLevel(g: GraphBuilder, x: string, l: number, model: YoloModel, w: (name: string) => WeightTensor, anchorsPx: number[][]): string {
  const spec = model.spec;
  const { na, no } = spec;
  const idx = spec.layers[spec.layers.length - 1]!.index;
  const kw = hwioToOihw(w(`model.${idx}.m.${l}.weight`));
  const z = g.op('Conv', [x, g.weight(`model.${idx}.m.${l}.weight`, kw.dims, kw.data), g.weight(`model.${idx}.m.${l}.bias`, [na * no], w(`model.${idx}.m.${l}.bias`).data)], {
    kernel_shape: [1, 1],
  })[0]!;
  // [B, na·no, ny, nx] → [B, ny, nx, na, no] → [B, na, ny, nx, no] (PyTorch's view + permute)
  const nhwc = g.op('Reshape', [g.op('Transpose', [z], { perm: [0, 2, 3, 1] })[0]!, g.constant([0, 0, 0, na, no], 'int64')])[0]!;
  const y = g.op('Sigmoid', [g.op('Transpose', [nhwc], { perm: [0, 3, 1, 2, 4] })[0]!])[0]!;
  // grid [1, 1, ny, nx, 2] of (x, y) cell indices, from the map's own shape
  const shape = g.op('Shape', [z])[0]!;
  const ny = g.op('Slice', [shape, g.constant([2], 'int64'), g.constant([3], 'int64')])[0]!;
  const nx = g.op('Slice', [shape, g.constant([3], 'int64'), g.constant([4], 'int64')])[0]!;
  const axis0 = g.constant([0], 'int64');
  const range = (n: string) => g.op('Cast', [g.op('Range', [g.constant([0], 'int64', []), g.op('Squeeze', [n, axis0])[0]!, g.constant([1], 'int64', [])])[0]!], { to: FLOAT })[0]!;
  const gridShape = g.op('Concat', [g.constant([1, 1], 'int64'), ny, nx, g.constant([1], 'int64')], { axis: 0 })[0]!;
  const gx = g.op('Expand', [g.op('Reshape', [range(nx), g.constant([1, 1, 1, -1, 1], 'int64')])[0]!, gridShape])[0]!;
  const gy = g.op('Expand', [g.op('Reshape', [range(ny), g.constant([1, 1, -1, 1, 1], 'int64')])[0]!, gridShape])[0]!;
  const grid = g.op('Concat', [gx, gy], { axis: 4 })[0]!;
  const [xy, wh, rest] = g.op('Split', [y, g.constant([2, 2, no - 4], 'int64')], { axis: 4 }, undefined, 3) as [string, string, string];
  const two = g.constant([2], 'float', []);
  const stride = g.constant([model.strides[l]!], 'float', []);
  const xyD = g.op('Mul', [g.op('Add', [g.op('Sub', [g.op('Mul', [xy, two])[0]!, g.constant([0.5], 'float', [])])[0]!, grid])[0]!, stride])[0]!;
  const wh2 = g.op('Mul', [wh, two])[0]!;
  const anchor = g.constant(anchorsPx.flat(), 'float', [1, na, 1, 1, 2]);
  const whD = g.op('Mul', [g.op('Mul', [wh2, wh2])[0]!, anchor])[0]!;
  const decoded = g.op('Concat', [xyD, whD, rest], { axis: 4 })[0]!;
  return g.op('Reshape', [decoded, g.constant([0, -1, no], 'int64')])[0]!;
}
