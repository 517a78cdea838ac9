import { letterbox, type LabeledImage, type LetterboxOptions } from '@vigil/core';

/**
 * Letterboxes a labelled image: labels (`[n,5]` cls, x1, y1, x2, y2 in pixels of the input) are mapped as the
 * original does (normalised xywh → pixels with `ratio·size` and the float padding `dw`, `dh`): x' = x·r + dw.
 */
export function letterboxSample(
  sample: LabeledImage,
  newShape: number | [number, number],
  options: LetterboxOptions = {},
): LabeledImage & { ratio: [number, number]; pad: [number, number] } {
  const res = letterbox(sample.image, newShape, options);
  const labels = new Float32Array(sample.labels.length);
  const [rw, rh] = res.ratio;
  const [dw, dh] = res.pad;
  for (let k = 0; k < labels.length; k += 5) {
    labels[k] = sample.labels[k]!;
    labels[k + 1] = sample.labels[k + 1]! * rw + dw;
    labels[k + 2] = sample.labels[k + 2]! * rh + dh;
    labels[k + 3] = sample.labels[k + 3]! * rw + dw;
    labels[k + 4] = sample.labels[k + 4]! * rh + dh;
  }
  return { image: res.image, labels, ratio: res.ratio, pad: res.pad };
}
