import { mkdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { VigilUserError } from '@vigil/core';
import { initBackend } from '@vigil/runtime';
import { exportOnnx, loadModelFile, writeFileAtomic } from '@vigil/yolov5';
import { Command, Option } from 'commander';

/** `--img 640` or `--img 480 640` (height width, as upstream's `--img-size h w`) → `[height, width]`. */
export function parseExportSize(values: readonly string[]): [number, number] {
  if (values.length < 1 || values.length > 2) throw new VigilUserError(`--img ${values.join(' ')}: give one size (square) or two (height width)`);
  const n = values.map((v) => Number(v));
  if (n.some((x) => !Number.isInteger(x) || x < 32 || x > 8192)) throw new VigilUserError(`--img ${values.join(' ')}: expected integers in [32, 8192]`);
  return [n[0]!, n[n.length - 1]!];
}

/**
 * `vigil-predict export --weights w.vckpt --format onnx [--img 640] [--dynamic] [--half] [--out w.onnx]`: the model as
 * an ONNX graph (opset 13, output `[B, N, 5+nc]`, class names and stride in the metadata), as upstream's `export.py`.
 */
export function exportCommand(): Command {
  return new Command('export')
    .description('export a checkpoint (ours or YOLOv5 .pt) as an ONNX model (opset 13, Conv+BN fused, Detect decode inside, output [B, N, 5+nc])')
    .requiredOption('--weights <file>', 'checkpoint to export (.vckpt or YOLOv5 .pt)')
    .addOption(new Option('--format <format>', 'output format').choices(['onnx']).default('onnx'))
    .option('--img, --img-size <px...>', 'input size: one number (square) or height width; multiples of the largest stride', ['640'])
    .option('--dynamic', 'dynamic batch, height and width (named dimensions batch, height, width)')
    .option('--half', 'store the weights as float16 (half the file; computed in float32)')
    .option('--out <file>', 'output file (default: the weights path with .onnx)')
    .option('--backend <name>', 'tfjs backend (default: env VIGIL_BACKEND, else auto)')
    .action(async (opts: { weights: string; format: 'onnx'; imgSize: string[]; dynamic?: boolean; half?: boolean; out?: string; backend?: string }) => {
      const imgSize = parseExportSize(opts.imgSize);
      const out = opts.out ?? `${opts.weights.slice(0, opts.weights.length - extname(opts.weights).length)}.onnx`;
      await initBackend({ prefer: opts.backend });
      const { model } = loadModelFile(opts.weights);
      try {
        const bytes = exportOnnx(model, { imgSize, dynamic: opts.dynamic === true, half: opts.half === true, producerVersion: '0.1.0' });
        mkdirSync(dirname(out), { recursive: true });
        writeFileAtomic(out, bytes);
        console.log(
          `exported ${opts.weights} → ${out} (ONNX opset 13, ${(bytes.length / 1e6).toFixed(1)} MB${opts.half ? ', fp16 weights' : ''}): ` +
            `input images [${opts.dynamic ? 'batch' : 1}, 3, ${opts.dynamic ? 'height' : imgSize[0]}, ${opts.dynamic ? 'width' : imgSize[1]}], ` +
            `output [${opts.dynamic ? 'batch, anchors' : `1, ${model.strides.reduce((n, s) => n + (imgSize[0] / s) * (imgSize[1] / s) * model.na, 0)}`}, ${5 + model.nc}], ` +
            `classes ${model.names.join(', ')}`,
        );
      } finally {
        model.dispose();
      }
    });
}
