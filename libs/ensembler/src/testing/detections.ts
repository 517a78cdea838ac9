import type { Detections } from '@vigil/core';

/** Test helper: {@link Detections} from plain boxes (xyxy), scores and classes. */
export function dets(boxes: number[][], scores: number[], classes?: number[]): Detections {
  return {
    count: scores.length,
    boxes: Float32Array.from(boxes.flat()),
    scores: Float32Array.from(scores),
    classes: Int32Array.from(classes ?? scores.map(() => 0)),
  };
}

/** The detections as rounded plain arrays (easy to compare with hand-computed values). */
export function plain(d: Detections, digits = 6): { boxes: number[][]; scores: number[]; classes: number[] } {
  const r = (v: number) => Number(v.toFixed(digits));
  return {
    boxes: Array.from({ length: d.count }, (_, i) => Array.from(d.boxes.subarray(4 * i, 4 * i + 4), r)),
    scores: Array.from(d.scores, r),
    classes: Array.from(d.classes),
  };
}
