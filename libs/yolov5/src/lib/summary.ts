import type { LayerSpec, ModuleKind, ResolvedSpec } from './spec.js';

/**
 * Model summary like the original's `parse_model` table and `model.info()` (utils/torch_utils.py model_info), computed
 * from the spec alone (no weights needed).
 *
 * - params: trainable parameters (BN running stats excluded), as `sum(p.numel() for p in model.parameters())`.
 * - layers: the number of PyTorch modules the original counts (`len(list(model.modules()))`), e.g. 283 for yolov5s.
 * - GFLOPs at `imgSize`: counted like thop in the original (2 × multiply-adds of every conv incl. its bias, plus
 *   2 × numel for every BatchNorm; pooling, upsampling, activations and adds count 0), e.g. 17.1 for yolov5s at 640.
 */
export interface LayerSummary {
  index: number;
  from: number | number[];
  n: number;
  params: number;
  /** The original's module type name, e.g. `models.common.C3`. */
  module: string;
  /** Arguments as the original prints them (Python repr). */
  args: string;
  /** GFLOPs of this row at the summary's image size. */
  gflops: number;
}

export interface ModelSummary {
  layers: LayerSummary[];
  params: number;
  /** PyTorch module count (the original's "N layers"). */
  moduleCount: number;
  gflops: number;
  imgSize: number;
  fused: boolean;
}

const TYPE_NAMES: Record<ModuleKind, string> = {
  Focus: 'models.common.Focus',
  Conv: 'models.common.Conv',
  Bottleneck: 'models.common.Bottleneck',
  C3: 'models.common.C3',
  SPP: 'models.common.SPP',
  SPPF: 'models.common.SPPF',
  Concat: 'models.common.Concat',
  Upsample: 'torch.nn.modules.upsampling.Upsample',
  Detect: 'models.yolo.Detect',
};

/** Python repr of yaml/JSON values (None, True/False, 'str', [a, b]). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return String(v);
}

function moduleCountOf(l: LayerSpec, fused: boolean, nl: number): number {
  const conv = fused ? 3 : 4;
  let one: number;
  switch (l.module) {
    case 'Conv':
      one = conv;
      break;
    case 'Focus':
      one = 1 + conv;
      break;
    case 'Bottleneck':
      one = 1 + 2 * conv;
      break;
    case 'C3':
      one = 1 + 3 * conv + 1 + l.repeats! * (1 + 2 * conv);
      break;
    case 'SPP':
      one = 1 + 2 * conv + 1 + l.poolKernels!.length;
      break;
    case 'SPPF':
      one = 1 + 2 * conv + 1;
      break;
    case 'Detect':
      one = 2 + nl;
      break;
    default:
      one = 1;
  }
  return l.n > 1 ? 1 + l.n * one : one;
}

/** Multiply-adds (thop convention) of one conv unit with `out` spatial positions. */
function convOps(out: number, cin: number, cout: number, k: number, bias: boolean, bn: boolean): number {
  return out * cout * (cin * k * k + (bias ? 1 : 0)) + (bn ? 2 * out * cout : 0);
}

function layerOps(l: LayerSpec, spec: ResolvedSpec, imgSize: number, fused: boolean): number {
  const area = (imgSize / l.stride) ** 2;
  const unit = (cin: number, cout: number, k: number) => convOps(area, cin, cout, k, fused, !fused);
  let ops = 0;
  for (let j = 0; j < l.n; j++) {
    const c1 = j === 0 ? l.c1 : l.c2;
    switch (l.module) {
      case 'Conv':
        ops += unit(c1, l.c2, l.k!);
        break;
      case 'Focus':
        ops += unit(4 * c1, l.c2, l.k!);
        break;
      case 'Bottleneck': {
        const c = Math.trunc(l.c2 * l.e!);
        ops += unit(c1, c, 1) + unit(c, l.c2, 3);
        break;
      }
      case 'C3': {
        const c = Math.trunc(l.c2 * l.e!);
        ops += 2 * unit(c1, c, 1) + unit(2 * c, l.c2, 1) + l.repeats! * (unit(c, c, 1) + unit(c, c, 3));
        break;
      }
      case 'SPP':
      case 'SPPF': {
        const c = Math.floor(c1 / 2);
        ops += unit(c1, c, 1) + unit(c * (l.module === 'SPP' ? l.poolKernels!.length + 1 : 4), l.c2, 1);
        break;
      }
      case 'Detect':
        l.detectChannels!.forEach((cin, lvl) => {
          ops += convOps((imgSize / spec.strides[lvl]!) ** 2, cin, spec.na * spec.no, 1, true, false);
        });
        break;
      default:
        break;
    }
  }
  return ops;
}

/** Summarises a resolved spec (`fused`: as after the original's `model.fuse()`). */
export function summarizeModel(spec: ResolvedSpec, options: { imgSize?: number; fused?: boolean } = {}): ModelSummary {
  const imgSize = options.imgSize ?? 640;
  const fused = options.fused ?? false;
  const layers = spec.layers.map((l) => {
    // Fusing turns each BN's (γ, β) into one conv bias: params drop by the BN channel count.
    const params = fused ? l.params - fusedBnSaving(l) : l.params;
    return {
      index: l.index,
      from: l.from,
      n: l.n,
      params,
      module: TYPE_NAMES[l.module],
      args: pyRepr(l.module === 'Detect' ? [l.args[0], spec.config.anchors, l.detectChannels] : l.args),
      gflops: (2 * layerOps(l, spec, imgSize, fused)) / 1e9,
    };
  });
  return {
    layers,
    params: layers.reduce((a, l) => a + l.params, 0),
    moduleCount: 2 + spec.layers.reduce((a, l) => a + moduleCountOf(l, fused, spec.nl), 0),
    gflops: layers.reduce((a, l) => a + l.gflops, 0),
    imgSize,
    fused,
  };
}

/** BN channels of a row (each BN has γ and β; fused, they become one bias). */
function fusedBnSaving(l: LayerSpec): number {
  let ch = 0;
  for (let j = 0; j < l.n; j++) {
    const c1 = j === 0 ? l.c1 : l.c2;
    switch (l.module) {
      case 'Conv':
      case 'Focus':
        ch += l.c2;
        break;
      case 'Bottleneck':
        ch += Math.trunc(l.c2 * l.e!) + l.c2;
        break;
      case 'C3': {
        const c = Math.trunc(l.c2 * l.e!);
        ch += 2 * c + l.c2 + l.repeats! * 2 * c;
        break;
      }
      case 'SPP':
      case 'SPPF':
        ch += Math.floor(c1 / 2) + l.c2;
        break;
      default:
        break;
    }
  }
  return ch;
}

/** The original's text table plus the "Model Summary" line. */
export function formatSummary(s: ModelSummary): string {
  const pad = (v: string, w: number, left = false) => (left ? v.padEnd(w) : v.padStart(w));
  const lines = [`${pad('', 3)}${pad('from', 18)}${pad('n', 3)}${pad('params', 10)}  ${pad('module', 40, true)}${pad('arguments', 30, true)}`];
  for (const l of s.layers) {
    lines.push(`${pad(String(l.index), 3)}${pad(pyRepr(l.from), 18)}${pad(String(l.n), 3)}${pad(String(l.params), 10)}  ${pad(l.module, 40, true)}${pad(l.args, 30, true)}`.trimEnd());
  }
  lines.push(`Model Summary: ${s.moduleCount} layers, ${s.params} parameters, ${s.params} gradients, ${s.gflops.toFixed(1)} GFLOPS${s.fused ? ' (fused)' : ''} at ${s.imgSize}×${s.imgSize}`);
  return lines.join('\n');
}
