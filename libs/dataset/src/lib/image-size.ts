import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { readImageMeta } from './image-source.js';

/** Width and height as stored in an image file (no EXIF rotation, like PIL's `Image.open(f).size`). */
export interface ImageSize {
  width: number;
  height: number;
}

/** JPEG SOFn markers carrying the frame size (C4 DHT, C8 JPG, CC DAC are not frames). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Size from the first bytes of a JPEG or PNG file, or undefined when the header is not one of those / incomplete. */
export function parseImageSize(b: Uint8Array): ImageSize | undefined {
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[12] === 0x49 && b[13] === 0x48 && b[14] === 0x44 && b[15] === 0x52) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const width = dv.getUint32(16);
    const height = dv.getUint32(20);
    return width > 0 && height > 0 ? { width, height } : undefined;
  }
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    while (p < b.length && b[p] === 0xff) p++; // fill bytes
    if (p >= b.length) return undefined;
    const m = b[p]!;
    p++;
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue; // no length
    if (m === 0xd9 || m === 0xda) return undefined; // end of image / scan before any frame header
    if (p + 2 > b.length) return undefined;
    const len = (b[p]! << 8) | b[p + 1]!;
    if (len < 2) return undefined;
    if (isSof(m)) {
      if (p + 7 > b.length) return undefined;
      const height = (b[p + 3]! << 8) | b[p + 4]!;
      const width = (b[p + 5]! << 8) | b[p + 6]!;
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    p += len;
  }
  return undefined;
}

/** First read: enough for the frame header of almost every JPEG; a second, larger read covers big EXIF/ICC blocks. */
const HEAD_BYTES = [4096, 262144];

/**
 * Reads an image's size from its header without decoding pixels: JPEG and PNG headers are parsed directly from the
 * first bytes (4 KiB, then 256 KiB if the frame header lies further; the fast path: libvips' metadata costs ~10× more
 * per file); anything else (or an unusual header) goes through {@link readImageMeta} (libvips, or the BMP header).
 * Throws when the file is missing or not a readable image.
 */
export async function readImageSize(file: string): Promise<ImageSize> {
  const fh = await open(file, 'r');
  let fast: ImageSize | undefined;
  try {
    for (const n of HEAD_BYTES) {
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      fast = parseImageSize(buf.subarray(0, bytesRead));
      if (fast || bytesRead < n) break;
    }
  } finally {
    await fh.close();
  }
  if (fast) return fast;
  return readSizeFromMeta(file);
}

let headBuffers: Buffer[] | undefined;

/**
 * Synchronous fast path of {@link readImageSize}: JPEG/PNG headers parsed from the first bytes read with blocking
 * calls into one reused buffer (three syscalls a file, no thread-pool round trips, no allocation: ~5× cheaper than the
 * async reads when the file is in the page cache). Returns undefined when the header is neither (the caller falls back
 * to {@link readImageSize}); throws when the file cannot be opened or read.
 */
export function readImageSizeSync(file: string): ImageSize | undefined {
  headBuffers ??= HEAD_BYTES.map((n) => Buffer.allocUnsafe(n));
  const fd = openSync(file, 'r');
  try {
    for (const buf of headBuffers) {
      const bytesRead = readSync(fd, buf, 0, buf.length, 0);
      const fast = parseImageSize(buf.subarray(0, bytesRead));
      if (fast || bytesRead < buf.length) return fast;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Size through {@link readImageMeta} (libvips' header reader, or ours for BMP, which libvips cannot read). */
export async function readSizeFromMeta(file: string): Promise<ImageSize> {
  const m = await readImageMeta(file);
  return { width: m.width, height: m.height };
}
