import * as tf from '@tensorflow/tfjs-core';
import { VigilUserError } from '@vigil/core';
import type { EnsembleMember } from '@vigil/ensembler';
import { type YoloModel, loadModelFile } from '@vigil/yolov5';

/** The loaded ensemble: models (fused, eval), their ensembler members, class names and the largest stride. */
export interface LoadedModels {
  models: YoloModel[];
  members: EnsembleMember[];
  names: string[];
  /** max over models of max(stride), at least 32 (the original's `gs`). */
  maxStride: number;
  dispose(): void;
}

/**
 * Loads every weights file (`.vckpt` or YOLOv5 `.pt`, told apart by content) and fuses Conv+BN, as the original's
 * `attempt_load`. Models with different class lists cannot be ensembled: a user error names both files.
 */
export function loadModels(files: readonly string[]): LoadedModels {
  if (files.length === 0) throw new VigilUserError('no weights given: pass --weights <file> [file ...]');
  const models: YoloModel[] = [];
  try {
    for (const f of files) {
      const { model } = loadModelFile(f);
      models.push(model);
      const first = models[0]!;
      if (model.nc !== first.nc || model.names.join('\u0000') !== first.names.join('\u0000')) {
        throw new VigilUserError(
          `${f} predicts ${model.nc} classes [${model.names.join(', ')}] but ${files[0]} predicts ${first.nc} [${first.names.join(', ')}]; ` +
            'only models trained on the same class list can be ensembled',
          f,
        );
      }
    }
  } catch (e) {
    for (const m of models) m.dispose();
    throw e;
  }
  for (const m of models) m.fuse();
  const maxStride = Math.max(32, ...models.map((m) => Math.max(...m.strides)));
  const members: EnsembleMember[] = models.map((m) => ({
    detect: (x: tf.Tensor4D) => m.predict(x),
    maxStride: Math.max(...m.strides),
    names: m.names,
  }));
  return {
    models,
    members,
    names: [...models[0]!.names],
    maxStride,
    dispose: () => {
      for (const m of models) m.dispose();
    },
  };
}
