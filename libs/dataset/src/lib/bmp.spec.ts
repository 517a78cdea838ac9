import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeBmp, encodeBmp, isBmp, parseBmpHeader } from './bmp.js';
import { readImageSize } from './image-size.js';

/** A BMP file from parts: file header + BITMAPINFOHEADER (+ extra header bytes) + palette + pixel bytes. */
function craft(o: { width: number; height: number; bpp: number; compression?: number; palette?: number[][]; extra?: number[]; pixels: number[] }): Uint8Array {
  const pal = (o.palette ?? []).flatMap(([r, g, b]) => [b!, g!, r!, 0]);
  const extra = o.extra ?? [];
  const offset = 14 + 40 + extra.length + pal.length;
  const buf = new Uint8Array(offset + o.pixels.length);
  const dv = new DataView(buf.buffer);
  buf.set([0x42, 0x4d]);
  dv.setUint32(2, buf.length, true);
  dv.setUint32(10, offset, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, o.width, true);
  dv.setInt32(22, o.height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, o.bpp, true);
  dv.setUint32(30, o.compression ?? 0, true);
  dv.setUint32(46, (o.palette ?? []).length, true);
  buf.set(extra, 54);
  buf.set(pal, 54 + extra.length);
  buf.set(o.pixels, offset);
  return buf;
}

const u32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];

/** BMP files written (or, for RLE8/top-down, read) by Pillow with Pillow's RGB decode: fixtures/make-bmp-golden.py. */
const golden = JSON.parse(readFileSync(new URL('./fixtures/bmp-golden.json', import.meta.url), 'utf8')) as Record<
  string,
  { bmp: string; width: number; height: number; rgb: string }
>;

describe('BMP', () => {
  it.each(Object.keys(golden))('decodes %s exactly as Pillow', (name) => {
    const g = golden[name]!;
    const d = decodeBmp(Buffer.from(g.bmp, 'base64'));
    expect([d.width, d.height]).toEqual([g.width, g.height]);
    const rgb = d.channels === 3 ? d.data : d.data.filter((_, i) => i % 4 !== 3);
    expect(Buffer.from(rgb).equals(Buffer.from(g.rgb, 'base64'))).toBe(true);
  });

  it('readImageSize reads a BMP\'s size from its header (vigil-predict sizes images with it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bmp-'));
    writeFileSync(join(dir, 'a.bmp'), encodeBmp(new Uint8Array(5 * 3 * 3), 5, 3, 3));
    writeFileSync(join(dir, 'bmp-named.jpg'), encodeBmp(new Uint8Array(4 * 7 * 4), 4, 7, 4));
    expect(await readImageSize(join(dir, 'a.bmp'))).toEqual({ width: 5, height: 3 });
    expect(await readImageSize(join(dir, 'bmp-named.jpg'))).toEqual({ width: 4, height: 7 });
  });

  it('round-trips 24-bit (odd width: row padding) and 32-bit with alpha', () => {
    const w = 3;
    const h = 2;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
    const d = decodeBmp(encodeBmp(rgb, w, h, 3));
    expect(d).toMatchObject({ width: 3, height: 2, channels: 3 });
    expect(Array.from(d.data)).toEqual(Array.from(rgb));
    const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 53) % 256);
    const d4 = decodeBmp(encodeBmp(rgba, w, h, 4));
    expect(d4.channels).toBe(4);
    expect(Array.from(d4.data)).toEqual(Array.from(rgba));
    const gray = Uint8Array.from([0, 100, 200, 255, 7, 9]);
    expect(Array.from(decodeBmp(encodeBmp(gray, 3, 2, 1)).data)).toEqual(Array.from(gray).flatMap((v) => [v, v, v]));
  });

  it('reads 8-bit and 1-bit palettes, bottom-up and top-down rows', () => {
    const palette = [[10, 20, 30], [200, 100, 50]];
    // 8-bit, 2×2 bottom-up: stored rows are bottom first, each padded to 4 bytes.
    const p8 = craft({ width: 2, height: 2, bpp: 8, palette, pixels: [1, 0, 0, 0, 0, 1, 0, 0] });
    expect(Array.from(decodeBmp(p8).data)).toEqual([10, 20, 30, 200, 100, 50, 200, 100, 50, 10, 20, 30]);
    // Same pixels top-down (negative height).
    const td = craft({ width: 2, height: -2, bpp: 8, palette, pixels: [0, 1, 0, 0, 1, 0, 0, 0] });
    expect(parseBmpHeader(td)).toMatchObject({ width: 2, height: 2, topDown: true });
    expect(Array.from(decodeBmp(td).data)).toEqual(Array.from(decodeBmp(p8).data));
    // 1-bit, 3×1: bits 1 0 1 from the most significant bit.
    const p1 = craft({ width: 3, height: 1, bpp: 1, palette, pixels: [0b10100000, 0, 0, 0] });
    expect(Array.from(decodeBmp(p1).data)).toEqual([200, 100, 50, 10, 20, 30, 200, 100, 50]);
  });

  it('reads RLE8 and 16-bit bit fields (5-6-5)', () => {
    const palette = [[0, 0, 0], [255, 255, 255], [9, 8, 7]];
    // 4×2: bottom row = run of 3 × index 1 then absolute [2] … ; top row = run 4 × 2.
    const rle = craft({
      width: 4,
      height: 2,
      bpp: 8,
      compression: 1,
      palette,
      pixels: [3, 1, 1, 2, 0, 0, 4, 2, 0, 1],
    });
    const d = decodeBmp(rle);
    expect(Array.from(d.data.subarray(0, 12))).toEqual([9, 8, 7, 9, 8, 7, 9, 8, 7, 9, 8, 7]);
    expect(Array.from(d.data.subarray(12))).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 255, 9, 8, 7]);
    // 565: pure red 0xF800, pure green 0x07E0 in one row of 2 (4 bytes, no padding).
    const p16 = craft({ width: 2, height: 1, bpp: 16, compression: 3, extra: [...u32(0xf800), ...u32(0x07e0), ...u32(0x001f)], pixels: [0x00, 0xf8, 0xe0, 0x07] });
    expect(Array.from(decodeBmp(p16).data)).toEqual([255, 0, 0, 0, 255, 0]);
  });

  it('rejects truncated, unsupported and non-BMP data with a reason', () => {
    const ok = encodeBmp(new Uint8Array(12 * 12 * 3), 12, 12, 3);
    expect(isBmp(ok)).toBe(true);
    expect(() => decodeBmp(ok.subarray(0, ok.length - 20))).toThrow(/truncated BMP pixel data/);
    const jpegInside = craft({ width: 2, height: 2, bpp: 24, compression: 4, pixels: [] });
    expect(() => decodeBmp(jpegInside)).toThrow(/embedded JPEG\/PNG/);
    expect(() => decodeBmp(new Uint8Array([0xff, 0xd8, 0xff]))).toThrow(/not a BMP/);
    expect(() => decodeBmp(craft({ width: 2, height: 2, bpp: 2, pixels: [] }))).toThrow(/bit depth 2/);
  });

  it('matches a BMP decoded from the same pixels as a PNG (sharp cannot read BMP itself)', async () => {
    const w = 17;
    const h = 11;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 131) % 251);
    await expect(sharp(Buffer.from(encodeBmp(rgb, w, h, 3))).metadata()).rejects.toThrow(/unsupported image format/);
    const png = await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    const viaPng = await sharp(png).raw().toBuffer();
    expect(Buffer.from(decodeBmp(encodeBmp(rgb, w, h, 3)).data).equals(viaPng)).toBe(true);
  });
});
