import { cxcywhToXyxy, denormalizeBoxes, type Detections, emptyDetections, VigilUserError } from '@vigil/core';
import { type DatasetConfig, datasetSources, loadDatasetYaml, YoloDataset } from '@vigil/dataset';
import { DetectionEvaluator, type EvaluationResult, type GroundTruth } from '@vigil/evaluator';

/** `--task`: which split of the dataset YAML to predict (and score when it has labels). */
export type DatasetTaskSplit = 'val' | 'test';

/** A dataset YAML's split, ready to predict. */
export interface DatasetTask {
  config: DatasetConfig;
  split: DatasetTaskSplit;
  /** The split's folders / .txt lists (checked to exist). */
  sources: string[];
}

/** Loads `--data` and resolves `--task`'s split (a user error names the YAML and key when it is missing). */
export async function resolveDatasetTask(file: string, split: DatasetTaskSplit): Promise<DatasetTask> {
  const config = await loadDatasetYaml(file);
  return { config, split, sources: await datasetSources(config, split) };
}

/**
 * The models must predict the dataset's classes: the same count (else a user error naming both lists); names that
 * differ only produce a warning (outputs use the checkpoint's names, as the issue asks).
 */
export function checkDatasetClasses(task: DatasetTask, modelNames: readonly string[], warn: (line: string) => void): void {
  const { config } = task;
  if (config.nc !== modelNames.length) {
    throw new VigilUserError(
      `${config.file} has ${config.nc} classes [${config.names.join(', ')}] but the model predicts ${modelNames.length} [${modelNames.join(', ')}]: ` +
        'give weights trained on this dataset',
      config.file,
    );
  }
  const differ = config.names.findIndex((n, i) => n !== modelNames[i]);
  if (differ >= 0) warn(`warning: class ${differ} is '${config.names[differ]}' in ${config.file} but '${modelNames[differ]}' in the checkpoint; outputs use the checkpoint's names`);
}

/** Ground truth of one image: normalised `cls cx cy w h` rows → xyxy pixels of the original image (upstream test.py's `tbox`). */
export function yoloGroundTruth(labels: Float32Array, width: number, height: number): GroundTruth {
  const count = labels.length / 5;
  const normalised = new Float64Array(count * 4);
  const classes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    classes[i] = labels[i * 5]!;
    normalised.set(labels.subarray(i * 5 + 1, i * 5 + 5), i * 4);
  }
  // Scaled to pixels before the conversion (in float64, rounded to float32 once), as test.py's tbox.
  return { count, boxes: Float32Array.from(cxcywhToXyxy(denormalizeBoxes(normalised, width, height))), classes };
}

/** What {@link scoreDatasetTask} found. */
export interface DatasetScore extends EvaluationResult {
  /** Images scored (those whose labels verified; background images included). */
  images: number;
  /** Boxes in the ground truth. */
  labels: number;
}

/**
 * Scores detections (original-image pixels, by file) against the split's YOLO label files, read and verified by the
 * loader's rules (bad label files are reported by the loader and left out). Undefined when the split has no label
 * file at all (a test split without labels: nothing to score).
 */
export async function scoreDatasetTask(
  task: DatasetTask,
  detections: ReadonlyMap<string, Detections>,
  names: readonly string[],
  onProgress?: Parameters<typeof YoloDataset.open>[1]['onProgress'],
): Promise<DatasetScore | undefined> {
  // only the labels and image sizes are read (imgSize is the loader's, unused here)
  const ds = await YoloDataset.open(task.sources, { imgSize: 640, nc: names.length, ...(onProgress ? { onProgress } : {}) });
  if (ds.stats.found === 0) return undefined;
  const ev = new DetectionEvaluator({ names });
  let labels = 0;
  for (let i = 0; i < ds.length; i++) {
    const [w, h] = ds.shapes[i]!;
    const gt = yoloGroundTruth(ds.labels[i]!, w, h);
    labels += gt.count;
    ev.addImage(detections.get(ds.files[i]!) ?? emptyDetections(), gt);
  }
  return { ...ev.result(), images: ds.length, labels };
}
