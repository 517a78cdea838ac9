import { Rng } from '@vigil/core';

/**
 * Training-step targets for the yolov5 benchmarks, as bench_torch.py makes them: 6 random boxes an image (class 0–6,
 * width and height 0.05–0.35, inside the image), rows `[image, class, cx, cy, w, h]` normalised, from seed 1.
 */
export function randomTargets(batch: number): Float32Array {
  const rng = new Rng(1);
  const t: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < 6; k++) {
      const w = rng.random() * 0.3 + 0.05, h = rng.random() * 0.3 + 0.05;
      t.push(b, rng.int(7), rng.random() * (1 - w) + w / 2, rng.random() * (1 - h) + h / 2, w, h);
    }
  }
  return Float32Array.from(t);
}
