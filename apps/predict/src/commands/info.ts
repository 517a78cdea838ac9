import { VigilUserError } from '@vigil/core';
import { formatSummary, loadSpec, resolveSpecPath, shippedSpecNames, summarizeModel } from '@vigil/yolov5';
import { Command } from 'commander';

/** Parses a positive integer flag value; user error naming the flag otherwise. */
function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new VigilUserError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

/**
 * `vigil-predict info --cfg <yaml>`: the original's `model.info()` for a spec — per-layer table (from, n, params,
 * module, arguments) and a summary line with parameters and GFLOPs. With `--json` the last stdout line is
 * `{"params":N,"gflops":G,"layers":L}` (layers = the original's module count, as in its "N layers").
 */
export function infoCommand(): Command {
  return new Command('info')
    .description('print a model summary like the original model.info(): layers, parameters, GFLOPs (no weights needed)')
    .requiredOption('--cfg <yaml>', `model spec: a .yaml path or a shipped name (${shippedSpecNames().join(', ')})`)
    .option('--nc <n>', 'number of classes (overrides the yaml)')
    .option('--img-size <px>', 'image size for the GFLOPs', '640')
    .option('--fused', 'summarise the model after Conv+BN fusion (inference)')
    .option('--json', 'end with one JSON line {"params":N,"gflops":G,"layers":L}')
    .action((opts: { cfg: string; nc?: string; imgSize: string; fused?: boolean; json?: boolean }) => {
      const path = resolveSpecPath(opts.cfg);
      if (!path) throw new VigilUserError(`--cfg ${opts.cfg}: no such file and not a shipped spec (shipped: ${shippedSpecNames().join(', ')})`);
      const nc = positiveInt('--nc', opts.nc);
      const imgSize = positiveInt('--img-size', opts.imgSize)!;
      const spec = loadSpec(path, nc !== undefined ? { nc } : {});
      const s = summarizeModel(spec, { imgSize, fused: opts.fused ?? false });
      console.log(formatSummary(s));
      console.log(`strides ${JSON.stringify(spec.strides)}, anchors (px) ${JSON.stringify(spec.anchorsPx)}`);
      if (opts.json) console.log(JSON.stringify({ params: s.params, gflops: Number(s.gflops.toFixed(3)), layers: s.moduleCount }));
    });
}
