import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { plotBatch } from './plot-batch.js';

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
});
