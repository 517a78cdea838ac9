import { describe, expect, it } from 'vitest';
import {
  boxAreas,
  cxcywhToXyxy,
  cxcywhToXywh,
  denormalizeBoxes,
  normalizeBoxes,
  xywhToCxcywh,
  xywhToXyxy,
  xyxyToCxcywh,
  xyxyToXywh,
} from './boxes.js';

describe('box conversions', () => {
  const xyxy = [10, 20, 50, 100, 0, 0, 1, 1];
  it('xyxy ↔ cxcywh', () => {
    expect(xyxyToCxcywh(xyxy)).toEqual([30, 60, 40, 80, 0.5, 0.5, 1, 1]);
    expect(cxcywhToXyxy([30, 60, 40, 80])).toEqual([10, 20, 50, 100]);
  });
  it('xyxy ↔ xywh', () => {
    expect(xyxyToXywh(xyxy)).toEqual([10, 20, 40, 80, 0, 0, 1, 1]);
    expect(xywhToXyxy([10, 20, 40, 80])).toEqual([10, 20, 50, 100]);
    expect(xywhToCxcywh([10, 20, 40, 80])).toEqual([30, 60, 40, 80]);
    expect(cxcywhToXywh([30, 60, 40, 80])).toEqual([10, 20, 40, 80]);
  });
  it('keeps the array kind', () => {
    const out = cxcywhToXyxy(new Float32Array([1, 1, 2, 2]));
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([0, 0, 2, 2]);
  });
  it('pixel ↔ normalised', () => {
    const n = normalizeBoxes([64, 48, 320, 240], 640, 480);
    expect(n).toEqual([0.1, 0.1, 0.5, 0.5]);
    expect(denormalizeBoxes(n, 640, 480)).toEqual([64, 48, 320, 240]);
    expect(() => normalizeBoxes([0, 0, 1, 1], 0, 10)).toThrow(/positive/);
  });
  it('empty input and bad lengths', () => {
    expect(xyxyToCxcywh([])).toEqual([]);
    expect(() => xyxyToCxcywh([1, 2, 3])).toThrow(/multiple of 4/);
  });
  it('areas clamp inverted boxes to zero', () => {
    expect(Array.from(boxAreas([0, 0, 2, 3, 5, 5, 4, 4]))).toEqual([6, 0]);
  });
});
