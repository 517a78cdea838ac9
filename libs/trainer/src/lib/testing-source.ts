import { Rng } from '@vigil/core';
import type { EpochBatches, TrainBatch, TrainBatchSource } from './batch-source.js';

/**
 * A tiny in-memory data set for tests and examples: `n` grey images of `size`×`size` with 1–3 bright rectangles
 * (class = rectangle index mod nc) on a dark noisy background, made from `seed`. `source(batch, epochParts)` samples
 * like the epoch_parts sampler (with replacement) from the epoch seed; `valBatches` gives every image once.
 */
export class ToyDetectionData {
  readonly images: Float32Array[] = [];
  readonly labels: Float32Array[] = [];

  constructor(
    readonly n: number,
    readonly size: number,
    readonly nc: number,
    seed = 0,
  ) {
    const rng = new Rng(seed);
    for (let i = 0; i < n; i++) {
      const img = new Float32Array(size * size * 3);
      for (let k = 0; k < size * size; k++) img.fill(0.1 + 0.1 * rng.random(), k * 3, k * 3 + 3);
      const m = 1 + rng.int(3);
      const lab = new Float32Array(m * 5);
      for (let j = 0; j < m; j++) {
        const w = Math.round(size * (0.15 + 0.3 * rng.random()));
        const h = Math.round(size * (0.15 + 0.3 * rng.random()));
        const x0 = rng.int(size - w);
        const y0 = rng.int(size - h);
        const cls = j % nc;
        const v = 0.5 + 0.2 * cls;
        for (let y = y0; y < y0 + h; y++) img.fill(v, (y * size + x0) * 3, (y * size + x0 + w) * 3);
        lab.set([cls, (x0 + w / 2) / size, (y0 + h / 2) / size, w / size, h / size], j * 5);
      }
      this.images.push(img);
      this.labels.push(lab);
    }
  }

  batch(indices: readonly number[]): TrainBatch {
    const s = this.size;
    const images = new Float32Array(indices.length * s * s * 3);
    const rows: number[] = [];
    indices.forEach((idx, b) => {
      images.set(this.images[idx]!, b * s * s * 3);
      const l = this.labels[idx]!;
      for (let k = 0; k < l.length; k += 5) rows.push(b, l[k]!, l[k + 1]!, l[k + 2]!, l[k + 3]!, l[k + 4]!);
    });
    return { images, shape: [indices.length, s, s, 3], targets: Float32Array.from(rows), numTargets: rows.length / 6 };
  }

  source(batchSize: number, epochParts = 1): TrainBatchSource {
    const k = Math.floor(this.n / epochParts);
    const nb = Math.ceil(k / batchSize);
    return {
      batchesPerEpoch: nb,
      epoch: (_epoch: number, seed: number): EpochBatches => {
        const rng = new Rng(seed);
        const idx = Array.from({ length: k }, () => rng.int(this.n));
        const make = (b: number) => this.batch(idx.slice(b * batchSize, (b + 1) * batchSize));
        return {
          count: nb,
          batches: (async function* () {
            for (let b = 0; b < nb; b++) yield make(b);
          })(),
        };
      },
    };
  }

  async *valBatches(batchSize: number): AsyncGenerator<TrainBatch> {
    for (let i = 0; i < this.n; i += batchSize) yield this.batch(Array.from({ length: Math.min(batchSize, this.n - i) }, (_, k) => i + k));
  }
}
