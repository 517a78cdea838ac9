import { describe, expect, it } from 'vitest';
import { clipBoxes, scaleCoords } from './scale-coords.js';

describe('scaleCoords', () => {
  it('undoes a letterbox (gain and centred padding) and clips', () => {
    // 480x640 (h, w) letterboxed into 640x640: gain 1, pad y = 80.
    const boxes = [100, 180, 200, 280, -10, 70, 700, 600];
    scaleCoords([640, 640], boxes, [480, 640]);
    expect(boxes).toEqual([100, 100, 200, 200, 0, 0, 640, 480]);
  });
  it('uses an explicit ratio/pad', () => {
    const boxes = [20, 30, 40, 50];
    scaleCoords([100, 100], boxes, [1000, 1000], [0.5, [10, 10]]);
    expect(boxes).toEqual([20, 40, 60, 80]);
  });
  it('matches YOLOv5 for a downscaled image', () => {
    // 1080x1920 into 384x640: gain = min(384/1080, 640/1920) = 1/3, pad = (0, (384-360)/2 = 12).
    const boxes = new Float64Array([30, 42, 60, 72]);
    scaleCoords([384, 640], boxes, [1080, 1920]);
    expect(Array.from(boxes).map((v) => +v.toFixed(9))).toEqual([90, 90, 180, 180]);
  });
  it('clipBoxes clamps every coordinate', () => {
    const b = new Float32Array([-1, -2, 11, 12]);
    clipBoxes(b, [10, 10]);
    expect(Array.from(b)).toEqual([0, 0, 10, 10]);
  });
});
