import { boxIou } from '@vigil/core';
import { expect } from 'vitest';
import type { DetectedObject } from '../lib/detector.js';

/** Every detection of `a` has one in `b` of the same class with IoU ≥ 0.99 and a score within 1e-3 (and counts agree). */
export function expectSameDetections(a: DetectedObject[], b: DetectedObject[]): void {
  expect(b.length).toBe(a.length);
  const xyxy = (o: DetectedObject) => [o.bbox[0], o.bbox[1], o.bbox[0] + o.bbox[2], o.bbox[1] + o.bbox[3]];
  const used = new Set<number>();
  for (const o of a) {
    const iou = boxIou(Float32Array.from(xyxy(o)), Float32Array.from(b.flatMap(xyxy)));
    let best = -1;
    for (let j = 0; j < b.length; j++) {
      if (used.has(j) || b[j]!.classId !== o.classId || Math.abs(b[j]!.score - o.score) > 1e-3) continue;
      if (best < 0 || iou[j]! > iou[best]!) best = j;
    }
    expect(best, `no match for ${JSON.stringify(o)}`).toBeGreaterThanOrEqual(0);
    expect(iou[best]!).toBeGreaterThanOrEqual(0.99);
    used.add(best);
  }
}
