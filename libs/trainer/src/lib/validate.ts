import * as tf from '@tensorflow/tfjs-core';
import { cxcywhToXyxy, denormalizeBoxes, nonMaxSuppression } from '@vigil/core';
import { DetectionEvaluator, type EvaluationResult, type MatchingMode } from '@vigil/evaluator';
import type { YoloModel } from '@vigil/yolov5';
import type { TrainBatch } from './batch-source.js';

/** Options of {@link evaluateModel}: the original's test during training (conf 0.001, IoU 0.6, multi-label). */
export interface EvaluateModelOptions {
  names: readonly string[];
  confThres?: number;
  iouThres?: number;
  maxDet?: number;
  matching?: MatchingMode;
  /** called after each batch (progress) */
  onBatch?: (done: number) => void;
}

/**
 * Runs the model in eval mode over validation batches (letterboxed, e.g. rect batches) and scores the detections
 * with the evaluator. Predictions and labels are compared in the batch's pixel space (the letterbox maps both the
 * same way, so IoUs equal the original's up to rounding of the un-letterboxing). No tensors leak.
 */
export async function evaluateModel(model: YoloModel, batches: AsyncIterable<TrainBatch>, opts: EvaluateModelOptions): Promise<EvaluationResult> {
  const ev = new DetectionEvaluator({ names: opts.names });
  const nc = model.nc;
  const no = 5 + nc;
  let done = 0;
  for await (const b of batches) {
    const [B, H, W] = b.shape;
    const out = tf.tidy(() => model.predict(tf.tensor4d(b.images, b.shape)));
    const pred = (await out.data()) as Float32Array;
    const n = out.shape[1];
    out.dispose();
    for (let i = 0; i < B; i++) {
      const det = nonMaxSuppression(pred.subarray(i * n * no, (i + 1) * n * no), {
        numClasses: nc,
        confThres: opts.confThres ?? 0.001,
        iouThres: opts.iouThres ?? 0.6,
        maxDet: opts.maxDet ?? 300,
        multiLabel: true,
      });
      const rows: number[] = [];
      for (let t = 0; t < b.numTargets; t++) if (b.targets[t * 6] === i) rows.push(t);
      const normalised = new Float64Array(rows.length * 4);
      const classes = new Int32Array(rows.length);
      rows.forEach((t, k) => {
        classes[k] = b.targets[t * 6 + 1]!;
        normalised.set(b.targets.subarray(t * 6 + 2, t * 6 + 6), k * 4);
      });
      // Scaled to pixels before the conversion (in float64, rounded to float32 once), as test.py's tbox.
      const boxes = Float32Array.from(cxcywhToXyxy(denormalizeBoxes(normalised, W, H)));
      ev.addImage(det, { count: rows.length, boxes, classes });
    }
    done += B;
    opts.onBatch?.(done);
  }
  return ev.result();
}
