import { checkMemoryFits, loadSpec, readWeightsFile, resolveSpec, resolveSpecPath, type ResolvedSpec } from '@vigil/yolov5';
import type { TrainConfig } from './options.js';

/**
 * The model a run will train, for the memory check before any work: --cfg, or a YOLOv5 `.pt`'s own architecture when
 * --cfg is not given (as buildModel); its own nc (the data's only changes the Detect head, a rounding error here).
 */
function trainSpec(cfg: TrainConfig): { spec: ResolvedSpec; what: string } | undefined {
  if (!cfg.cfgGiven && cfg.weights) {
    const file = readWeightsFile(cfg.weights, { warn: () => undefined });
    if (file.kind === 'pytorch' && file.spec) return { spec: resolveSpec(file.spec, { source: `${cfg.weights} (embedded yaml)` }), what: `${cfg.weights}'s model` };
  }
  const path = resolveSpecPath(cfg.cfg);
  return path ? { spec: loadSpec(path), what: `--cfg ${cfg.cfg}` } : undefined;
}

/**
 * Stops before set-up when a training step of this model, --img and --batch would not fit the backend's memory (the
 * 4 GiB wasm32 heap of the accel and wasm backends), naming what fits. Resumed runs are checked when they started.
 */
export function checkTrainMemory(cfg: TrainConfig, backendKind: string): void {
  if (cfg.resume) return;
  const t = trainSpec(cfg);
  if (t) checkMemoryFits(t.spec, { img: cfg.img, batch: cfg.batch, mode: 'train', backend: backendKind, what: t.what });
}
