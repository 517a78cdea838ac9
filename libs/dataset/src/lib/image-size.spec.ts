import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { parseImageSize, readImageSize } from './image-size.js';

const dir = await mkdtemp(join(tmpdir(), 'vigil size '));
afterAll(() => rm(dir, { recursive: true, force: true }));
const img = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#808080' } });

describe('readImageSize', () => {
  it('reads JPEG (baseline, progressive, with EXIF), PNG, WebP and TIFF sizes', async () => {
    const cases: [string, Promise<Buffer>, number, number][] = [
      ['a.jpg', img(33, 17).jpeg().toBuffer(), 33, 17],
      ['b.jpg', img(640, 480).jpeg({ progressive: true }).toBuffer(), 640, 480],
      ['c.jpg', img(20, 10).withMetadata({ orientation: 6 }).jpeg().toBuffer(), 20, 10],
      ['d.png', img(7, 9).png().toBuffer(), 7, 9],
      ['e.webp', img(12, 34).webp().toBuffer(), 12, 34],
      ['f.tif', img(15, 16).tiff().toBuffer(), 15, 16],
    ];
    for (const [name, buf, w, h] of cases) {
      await writeFile(join(dir, name), await buf);
      expect(await readImageSize(join(dir, name))).toEqual({ width: w, height: h });
    }
  });

  it('finds a JPEG frame header behind a large APP segment (second, larger read)', async () => {
    const jpg = await img(21, 13).jpeg().toBuffer();
    const app = Buffer.alloc(10004);
    app.writeUInt16BE(0xffef, 0);
    app.writeUInt16BE(10002, 2);
    const big = Buffer.concat([jpg.subarray(0, 2), app, jpg.subarray(2)]);
    expect(parseImageSize(big.subarray(0, 4096))).toBeUndefined();
    await writeFile(join(dir, 'big app.jpg'), big);
    expect(await readImageSize(join(dir, 'big app.jpg'))).toEqual({ width: 21, height: 13 });
  });

  it('parses headers only for JPEG/PNG and rejects garbage', async () => {
    expect(parseImageSize(new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect(parseImageSize(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toBeUndefined();
    const jpg = await img(5, 6).jpeg().toBuffer();
    expect(parseImageSize(jpg.subarray(0, 20))).toBeUndefined();
    await writeFile(join(dir, 'bad.jpg'), 'not an image');
    await expect(readImageSize(join(dir, 'bad.jpg'))).rejects.toThrow();
    await expect(readImageSize(join(dir, 'missing.jpg'))).rejects.toThrow(/ENOENT/);
  });
});
