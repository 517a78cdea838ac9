import { Rng, type Hyp } from '@vigil/core';
import { trainSampleAugment } from '@vigil/augment';
import { epochSampleIndices, YoloDataset, type AugmentFn, type Batch } from '@vigil/dataset';
import type { AnchorDataset, TrainBatch, TrainBatchSource } from '@vigil/trainer';

function toTrainBatch(b: Batch): TrainBatch {
  return { images: b.images, shape: b.shape, targets: b.targets, numTargets: b.numTargets, files: b.files };
}

/**
 * The trainer's batch source over a YOLO-layout folder: each epoch samples floor(n / epochParts) images with
 * replacement (the original's epoch_parts RandomSampler) from the epoch seed the loop gives, then loads, augments
 * and collates them (prefetching `workers` samples at a time). A batch's `images` array is reused once the next
 * batch is requested: copy it to keep it longer.
 */
export function trainSource(ds: YoloDataset, o: { batch: number; epochParts: number; imgSize: number; hyp: Hyp; workers: number }): TrainBatchSource {
  const k = Math.floor(ds.length / o.epochParts);
  const nb = Math.ceil(k / o.batch);
  // the original's training augmentation (__getitem__ with augment=True: mosaic / random_perspective, HSV, flips)
  const augment: AugmentFn = trainSampleAugment(o.hyp, o.imgSize);
  return {
    batchesPerEpoch: nb,
    epoch: (epoch, seed) => {
      const indices = epochSampleIndices(ds.length, o.epochParts, new Rng(seed));
      // reuseImages: the loop is done with a batch's images when it asks for the next batch (its tensor is disposed
      // and the batch pictures copy theirs), so the arrays are recycled.
      const it = ds.batches({ batchSize: o.batch, indices, shape: o.imgSize, augment, seed, epoch, prefetch: 2, concurrency: o.workers, reuseImages: true });
      return {
        count: nb,
        batches: (async function* () {
          for await (const b of it) yield toTrainBatch(b);
        })(),
      };
    },
  };
}

/** Validation batches: rectangular (aspect-ratio sorted) letterboxed batches of 2×batch, pad 0.5, as the original's testloader. */
export async function* valBatches(ds: YoloDataset, batch: number, stride: number, workers: number): AsyncGenerator<TrainBatch> {
  // reuseImages: the evaluation reads a batch's predictions before it asks for the next batch
  for await (const b of ds.batches({ batchSize: batch * 2, rect: { stride, pad: 0.5 }, prefetch: 2, concurrency: workers, reuseImages: true })) yield toTrainBatch(b);
}

/** Label sizes for autoanchor: per image its file shape and normalised (w, h) pairs. */
export function anchorData(ds: YoloDataset): AnchorDataset {
  return {
    shapes: ds.shapes.map(([w, h]) => [w, h] as [number, number]),
    wh: ds.labels.map((l) => {
      const out = new Float32Array((l.length / 5) * 2);
      for (let k = 0, j = 0; k < l.length; k += 5, j += 2) {
        out[j] = l[k + 3]!;
        out[j + 1] = l[k + 4]!;
      }
      return out;
    }),
  };
}
