import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import pLimit from 'p-limit';
import { parseImageSize, readImageSize, readImageSizeSync } from './image-size.js';
import { scanImageSizes } from './prepare-data.js';

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

describe('readImageSizeSync', () => {
  it('reads JPEG/PNG headers, leaves other formats to libvips (undefined) and throws for a missing file', async () => {
    await writeFile(join(dir, 's.jpg'), await img(31, 7).jpeg().toBuffer());
    await writeFile(join(dir, 's.png'), await img(8, 3).png().toBuffer());
    await writeFile(join(dir, 's.webp'), await img(8, 3).webp().toBuffer());
    expect(readImageSizeSync(join(dir, 's.jpg'))).toEqual({ width: 31, height: 7 });
    expect(readImageSizeSync(join(dir, 's.png'))).toEqual({ width: 8, height: 3 });
    expect(readImageSizeSync(join(dir, 's.webp'))).toBeUndefined();
    expect(() => readImageSizeSync(join(dir, 'missing.jpg'))).toThrow(/ENOENT/);
  });
});

describe('scanImageSizes (the converter scan)', () => {
  it('gives the same results on the blocking path and after switching to async reads', async () => {
    const sub = join(dir, 'scan');
    await mkdir(sub);
    const jpg = await img(13, 11).jpeg().toBuffer();
    const webp = await img(19, 15).webp().toBuffer();
    const names: string[] = [];
    for (let i = 0; i < 300; i++) {
      const name = `f${i}.${i % 50 === 7 ? 'webp' : 'jpg'}`;
      names.push(name);
      if (i % 97 === 3) continue; // listed but missing
      await writeFile(join(sub, name), i % 61 === 5 ? 'not an image' : i % 50 === 7 ? webp : jpg);
    }
    const present = new Set(names.filter((_, i) => i % 97 !== 3));
    const expected = names.map((n, i) =>
      i % 97 === 3
        ? { ok: false, kind: 'missing', reason: 'not in the images folder' }
        : i % 61 === 5
          ? { ok: false, kind: 'unreadable', reason: 'Input buffer contains unsupported image format' }
          : i % 50 === 7
            ? { ok: true, width: 19, height: 15 }
            : { ok: true, width: 13, height: 11 },
    );
    expect(await scanImageSizes(names, sub, present, pLimit(4), undefined)).toEqual(expected);
    // a limit below any read time: the first chunk is read with blocking calls, the rest asynchronously
    const seen: number[] = [];
    expect(await scanImageSizes(names, sub, present, pLimit(4), (p) => seen.push(p.done), -1)).toEqual(expected);
    expect(seen[seen.length - 1]).toBe(300);
  });
});
