import { open, readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import { decodeBmp, isBmp, parseBmpHeader } from './bmp.js';

/** What an image file's header says. */
export interface ImageMeta {
  /** Stored width and height (before EXIF rotation). */
  width: number;
  height: number;
  /** Format as libvips names it (`jpeg`, `png`, `webp`, `tiff`, …) or `bmp`. */
  format: string;
  /** EXIF orientation (1 = none; ≥ 5 swaps width and height). */
  orientation: number;
  /** One 8-bit grey channel (libvips' `b-w` space, no alpha): loads with `grey: true` keep it as one channel. */
  grey: boolean;
}

type FailOn = 'none' | 'truncated' | 'error' | 'warning';

async function head(file: string, n: number): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const looksBmp = (file: string) => /\.bmp$/i.test(file);

/** Header of an image file: libvips' metadata, or the BMP header (libvips cannot read BMP). Throws when unreadable. */
export async function readImageMeta(file: string): Promise<ImageMeta> {
  const bmpMeta = async (): Promise<ImageMeta> => {
    const h = parseBmpHeader(await head(file, 2048));
    return { width: h.width, height: h.height, format: 'bmp', orientation: 1, grey: false };
  };
  if (looksBmp(file)) return bmpMeta();
  let m: Metadata;
  try {
    m = await sharp(file).metadata();
  } catch (e) {
    if (isBmp(await head(file, 2))) return bmpMeta(); // a BMP under another extension
    throw e;
  }
  if (!m.width || !m.height) throw new Error('no size in the header');
  return { width: m.width, height: m.height, format: String(m.format), orientation: m.orientation ?? 1, grey: m.space === 'b-w' && m.channels === 1 && m.depth === 'uchar' };
}

/**
 * A sharp pipeline reading `file`: libvips for the formats it knows, {@link decodeBmp} for BMP (by the extension, or
 * with `sniff` by the `BM` signature: one more read, for a BMP under another extension). `failOn` as sharp's.
 */
export async function openImage(file: string, failOn: FailOn = 'error', sniff = false): Promise<Sharp> {
  if (looksBmp(file) || (sniff && isBmp(await head(file, 2)))) {
    const bmp = decodeBmp(await readFile(file));
    return sharp(Buffer.from(bmp.data.buffer, bmp.data.byteOffset, bmp.data.length), {
      raw: { width: bmp.width, height: bmp.height, channels: bmp.channels },
    });
  }
  return sharp(file, { failOn });
}
