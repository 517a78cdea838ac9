import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createImage } from '@vigil/core';
import { letterbox, letterboxGeometry, letterboxSample } from './letterbox.js';
import { rectBatchShapes } from './rect-shapes.js';
import { resizeBilinear } from './resize-bilinear.js';

// Produced by fixtures/make-letterbox-golden.py from the original's utils/datasets.py and cv2.
const golden = JSON.parse(readFileSync(new URL('./fixtures/letterbox-golden.json', import.meta.url), 'utf8')) as {
  letterbox: { h: number; w: number; new_shape: number | [number, number]; auto: boolean; scaleup: boolean; stride: number; out_h: number; out_w: number; ratio: [number, number]; dw: number; dh: number; top: number; left: number }[];
  resize: { h: number; w: number; nh: number; nw: number; src: number[]; dst: number[] }[];
  rect: { shapes: [number, number][]; batch_size: number; img_size: number; stride: number; pad: number; order: number[]; batch_shapes: [number, number][] }[];
};

describe('letterbox', () => {
  it('matches the original on every golden case (size, ratio, padding, border placement)', () => {
    for (const c of golden.letterbox) {
      const g = letterboxGeometry(c.h, c.w, c.new_shape, { auto: c.auto, scaleup: c.scaleup, stride: c.stride });
      expect(g.ratio).toEqual(c.ratio);
      expect([g.dw, g.dh]).toEqual([c.dw, c.dh]);
      const img = createImage(c.w, c.h, 3, 255);
      const r = letterbox(img, c.new_shape, { auto: c.auto, scaleup: c.scaleup, stride: c.stride });
      expect([r.image.height, r.image.width]).toEqual([c.out_h, c.out_w]);
      expect([g.top, g.left]).toEqual([c.top, c.left]);
      const at = (y: number, x: number) => r.image.data[(y * r.image.width + x) * 3];
      expect(at(c.top, c.left)).toBe(255);
      if (c.top > 0) expect(at(c.top - 1, c.left)).toBe(114);
      if (c.left > 0) expect(at(c.top, c.left - 1)).toBe(114);
    }
  });

  it('maps labels with the float padding and leaves the input untouched', () => {
    const img = createImage(640, 425, 3, 7);
    const s = letterboxSample({ image: img, labels: Float32Array.from([3, 10, 20, 110, 220]) }, 640, { auto: false });
    expect(Array.from(s.labels)).toEqual([3, 10, 127.5, 110, 327.5]);
    expect(s.pad).toEqual([0, 107.5]);
    expect(img.data.every((v) => v === 7)).toBe(true);
    expect(letterboxSample({ image: img, labels: new Float32Array(0) }, 640).labels).toHaveLength(0);
  });
});

describe('resizeBilinear', () => {
  it('is within ±1 of cv2.resize INTER_LINEAR', () => {
    for (const c of golden.resize) {
      const out = resizeBilinear({ data: Uint8Array.from(c.src), width: c.w, height: c.h, channels: 3 }, c.nw, c.nh);
      expect(out.data).toHaveLength(c.dst.length);
      let worst = 0;
      out.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - c.dst[i]!))));
      expect(worst).toBeLessThanOrEqual(1);
    }
  });
});

describe('rectBatchShapes', () => {
  it('matches the original (stable order)', () => {
    for (const c of golden.rect) {
      const r = rectBatchShapes(c.shapes, c.batch_size, c.img_size, c.stride, c.pad);
      expect(r.order).toEqual(c.order);
      expect(r.batchShapes).toEqual(c.batch_shapes);
    }
  });

  it('turns a square image at 1536 into 1600×1600 (stride 64, pad 0.5)', () => {
    expect(rectBatchShapes([[3000, 3000]], 4, 1536, 64).batchShapes).toEqual([[1600, 1600]]);
  });

  it('handles an empty list', () => {
    expect(rectBatchShapes([], 4, 640, 32)).toEqual({ order: [], batchShapes: [] });
  });
});
