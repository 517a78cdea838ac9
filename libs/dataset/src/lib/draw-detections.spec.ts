import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { drawDetections, drawDetectionsRgb } from './draw-detections.js';

describe('drawDetections', () => {
  it('draws a box in the class colour and keeps the image size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'draw-'));
    const file = join(dir, 'a.png');
    writeFileSync(file, await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer());
    const jpg = await drawDetections(file, [{ box: [20, 20, 60, 50], cls: 4, conf: 0.9 }]);
    const { data, info } = await sharp(jpg).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([80, 60]);
    // class 4 = palette CFD231: the left edge of the box (x=20, y=35) is yellowish, the centre stays dark
    const px = (x: number, y: number) => Array.from(data.subarray((y * 80 + x) * 3, (y * 80 + x) * 3 + 3));
    expect(px(20, 35)[0]).toBeGreaterThan(150);
    expect(px(40, 35)[0]).toBeLessThan(30);
  });
});

describe('drawDetectionsRgb', () => {
  it('draws on raw RGB frames, with a caption bar', async () => {
    const rgb = new Uint8Array(80 * 60 * 3);
    const out = await drawDetectionsRgb(rgb, 80, 60, [{ box: [20, 20, 60, 50], cls: 4 }], { caption: 'ALERT' });
    expect(out.length).toBe(rgb.length);
    const px = (x: number, y: number) => Array.from(out.subarray((y * 80 + x) * 3, (y * 80 + x) * 3 + 3));
    expect(px(20, 35)[0]).toBeGreaterThan(150);
    expect(px(40, 35)).toEqual([0, 0, 0]);
    // The caption bar (#c00000) at the top left.
    expect(px(1, 1)).toEqual([192, 0, 0]);
  });
});
