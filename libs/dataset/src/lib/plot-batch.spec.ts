import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { detectionsToTargets, plotBatch } from './plot-batch.js';

describe('plotBatch', () => {
  it('draws a column-major grid with class-coloured boxes', async () => {
    // 3 images 40×40: grid 2×2 of 40 px tiles; image 1 goes to column 0, row 1 (the original's order).
    const B = 3, H = 40, W = 40;
    const images = new Float32Array(B * H * W * 3).fill(0);
    const targets = Float32Array.from([1, 0, 0.5, 0.5, 0.5, 0.5]); // eye_opened (#FF3838) on image 1
    const jpeg = await plotBatch(images, [B, H, W, 3], targets, { files: ['a.jpg', 'b.jpg', 'c.jpg'] });
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([80, 80]);
    const px = (x: number, y: number) => Array.from(data.subarray((y * 80 + x) * 3, (y * 80 + x) * 3 + 3));
    // Left edge of the box of image 1: x = 10, y in 50..70 → red.
    const [r, g, b] = px(10, 65);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(120);
    expect(b).toBeLessThan(120);
    // The unused 4th tile stays white; an image's centre stays black.
    expect(px(60, 60).every((v) => v > 230)).toBe(true);
    expect(px(20, 20).every((v) => v < 30)).toBe(true);
  });

  it('limits tiles to maxSize and the picture to 1280 px', async () => {
    const jpeg = await plotBatch(new Float32Array(4 * 32 * 48 * 3).fill(0.5), [4, 32, 48, 3], new Float32Array(0), { maxSize: 24 });
    const m = await sharp(jpeg).metadata();
    expect([m.width, m.height]).toEqual([48, 32]);
  });

  it('predictions: detections become 7-column pixel targets; boxes with score ≤ 0.25 are not drawn', async () => {
    const det = (boxes: number[], scores: number[], classes: number[]) => ({ count: scores.length, boxes: Float32Array.from(boxes), scores: Float32Array.from(scores), classes: Int32Array.from(classes) });
    const t = detectionsToTargets([det([], [], []), det([10, 4, 30, 24, 0, 0, 8, 8], [0.9, 0.2], [1, 0])]);
    expect(Array.from(t)).toEqual([1, 1, 20, 14, 20, 20, Math.fround(0.9), 1, 0, 4, 4, 8, 8, Math.fround(0.2)]);
    const jpeg = await plotBatch(new Float32Array(2 * 40 * 40 * 3), [2, 40, 40, 3], t, { targetColumns: 7 });
    const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * 80 + x) * 3, (y * 80 + x) * 3 + 3));
    expect(px(10, 58)[0]).toBeGreaterThan(180); // image 1 (column 0, row 1): left edge of the 0.9 box, class 1 colour
    expect(px(4, 48).every((v) => v < 40)).toBe(true); // the 0.2 box (bottom edge at y 48) is not drawn
  });
});
