import { VigilUserError } from '@vigil/core';
import { initBackend } from '@vigil/runtime';
import { checkpointFromModel, loadSpec, loadTorchModel, readWeightsBytes, resolveSpecPath, saveCheckpoint, shippedSpecNames } from '@vigil/yolov5';
import { Command, Option } from 'commander';

/**
 * `vigil-predict import --weights x.pt [--cfg <yaml>] --out y.vckpt`: converts a PyTorch YOLOv5 `.pt` (plain state_dict
 * or the original's full checkpoint, fp16/fp32) into a Vigil checkpoint, without Python.
 */
export function importCommand(): Command {
  return new Command('import')
    .description('convert a PyTorch YOLOv5 .pt (state_dict or full checkpoint) into a Vigil checkpoint (.vckpt); no Python needed')
    .requiredOption('--weights <file.pt>', 'PyTorch weights written by torch.save')
    .option('--cfg <yaml>', `model spec (required for a plain state_dict; default: the checkpoint's own yaml). Shipped: ${shippedSpecNames().join(', ')}`)
    .option('--nc <n>', 'number of classes (overrides the yaml)')
    .requiredOption('--out <file>', 'output Vigil checkpoint (.vckpt), written atomically')
    .addOption(new Option('--prefer <entry>', "full checkpoints: which weights to take when both exist").choices(['ema', 'model']).default('ema'))
    .option('--half', 'store the weights as fp16')
    .option('--fuse', 'fold Conv+BN for inference before saving')
    .option('--backend <name>', 'tfjs backend (default: env VIGIL_BACKEND, else auto)')
    .action(async (opts: { weights: string; cfg?: string; nc?: string; out: string; prefer: 'ema' | 'model'; half?: boolean; fuse?: boolean; backend?: string }) => {
      let nc: number | undefined;
      if (opts.nc !== undefined) {
        nc = Number(opts.nc);
        if (!Number.isInteger(nc) || nc < 1) throw new VigilUserError(`--nc must be a positive integer, got "${opts.nc}"`);
      }
      let spec;
      if (opts.cfg) {
        const path = resolveSpecPath(opts.cfg);
        if (!path) throw new VigilUserError(`--cfg ${opts.cfg}: no such file and not a shipped spec (shipped: ${shippedSpecNames().join(', ')})`);
        spec = loadSpec(path, nc !== undefined ? { nc } : {});
      }
      await initBackend({ prefer: opts.backend });
      const { model, checkpoint, ignored } = loadTorchModel(readWeightsBytes(opts.weights), { source: opts.weights, prefer: opts.prefer, ...(spec ? { spec } : {}), ...(nc !== undefined ? { nc } : {}) });
      try {
        if (opts.fuse) model.fuse();
        saveCheckpoint(opts.out, checkpointFromModel(model, { meta: { importedFrom: opts.weights, entry: checkpoint.kind, ...(checkpoint.epoch !== undefined ? { epoch: checkpoint.epoch } : {}) } }), { dtype: opts.half ? 'float16' : 'float32' });
        console.log(
          `imported ${opts.weights} (${checkpoint.kind}, ${checkpoint.fp16 ? 'fp16' : 'fp32'}, ${checkpoint.tensors.size} tensors, ${ignored.length} ignored: num_batches_tracked/anchor_grid)` +
            ` → ${opts.out}: nc=${model.nc}, ${model.parameterCount()} parameters, strides ${JSON.stringify(model.strides)}${model.fused ? ', fused' : ''}${opts.half ? ', fp16' : ''}`,
        );
      } finally {
        model.dispose();
      }
    });
}
