import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { decodeBmp, isBmp } from './bmp.js';
import { IMAGE_FORMATS } from './discover.js';
import type { ImageSize } from './image-size.js';

/**
 * Why an image file cannot be used, by kind: `unreadable` (cannot be opened, empty, not an image at all), `damaged`
 * (an image that does not decode in full: truncated, header only, corrupt data), `unsupported` (an image format the
 * loader does not take, e.g. GIF content), `too small` (< 10 px, the loader's limit).
 */
export type ImageProblemKind = 'unreadable' | 'damaged' | 'unsupported' | 'too small';

/** The verdict on one image file: its stored size, or what is wrong with it (`reason`: one line). */
export type ImageCheck = ({ ok: true } & ImageSize) | { ok: false; kind: ImageProblemKind; reason: string };

/** Smallest side the loader accepts (the original's `assert (shape[0] > 9) & (shape[1] > 9)`). */
export const MIN_IMAGE_SIDE = 10;

/**
 * One line of an error message: libvips piles up several (`VipsJpeg: …\nVipsJpeg: …\nvips2png: …`), the first is the
 * cause; what follows repeats it or names internal operations.
 */
export function oneLine(message: string): string {
  return message.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? message.trim();
}

const bad = (kind: ImageProblemKind, reason: string): ImageCheck => ({ ok: false, kind, reason });

function sized(width: number, height: number): ImageCheck {
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) return bad('too small', `${width}×${height} pixels (< ${MIN_IMAGE_SIDE})`);
  return { ok: true, width, height };
}

/** Where a JPEG's first scan starts, once its headers are checked; `short` = the bytes end inside the headers. */
type JpegHead = { state: 'ok'; width: number; height: number; scanStart: number } | { state: 'short' } | { state: 'other' };
const OTHER: JpegHead = { state: 'other' };

/** SOF0/1/2: 8-bit Huffman baseline, extended, progressive — the frames libjpeg's 8-bit decoder (libvips) reads. */
const isCommonSof = (m: number) => m === 0xc0 || m === 0xc1 || m === 0xc2;
/** Other frame kinds (lossless, hierarchical, arithmetic): left to libvips to decide. */
const isOtherSof = (m: number) => m >= 0xc3 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/**
 * Walks a JPEG's segments from SOI to the first SOS and checks what the decoder needs before any pixel: segment lengths
 * within the file, the frame header (SOF0/1/2, 8-bit, 1–4 components, sampling 1–4, each component's quantisation
 * table defined before the scan), DQT/DHT contents consistent with their lengths, the scan header. `short`: the bytes
 * end inside the headers. `other`: not a JPEG, a frame kind this walk does not vouch for (12-bit, lossless,
 * arithmetic coding), or anything unusual (stray bytes between segments, a missing table, no scan…): libjpeg forgives
 * some of these, so the full decode decides.
 */
function jpegHead(b: Uint8Array): JpegHead {
  if (b.length < 3 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff) return OTHER;
  let p = 2;
  let frame: { width: number; height: number; tables: number[] } | undefined;
  const quant = new Set<number>();
  for (;;) {
    if (p >= b.length) return { state: 'short' };
    if (b[p] !== 0xff) return OTHER;
    while (p < b.length && b[p] === 0xff) p++;
    if (p >= b.length) return { state: 'short' };
    const m = b[p++]!;
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) continue;
    if (m === 0xd8 || m === 0xd9) return OTHER; // a second SOI, or EOI before any scan
    if (p + 2 > b.length) return { state: 'short' };
    const len = (b[p]! << 8) | b[p + 1]!;
    if (len < 2) return OTHER;
    if (p + len > b.length) return { state: 'short' };
    const s = p + 2;
    const end = p + len;
    if (isOtherSof(m)) return OTHER;
    if (isCommonSof(m)) {
      if (frame || len < 8 || b[s] !== 8) return OTHER; // two frames, a short one, or not 8-bit
      const height = (b[s + 1]! << 8) | b[s + 2]!;
      const width = (b[s + 3]! << 8) | b[s + 4]!;
      const nf = b[s + 5]!;
      if (nf < 1 || nf > 4 || len !== 8 + 3 * nf || width === 0 || height === 0) return OTHER;
      const tables: number[] = [];
      for (let c = 0; c < nf; c++) {
        const hv = b[s + 7 + 3 * c]!;
        const tq = b[s + 8 + 3 * c]!;
        if (hv >> 4 < 1 || hv >> 4 > 4 || (hv & 15) < 1 || (hv & 15) > 4 || tq > 3) return OTHER;
        tables.push(tq);
      }
      frame = { width, height, tables };
    } else if (m === 0xdb) {
      for (let q = s; q < end; ) {
        const pq = b[q]! >> 4;
        const tq = b[q]! & 15;
        if (pq > 1 || tq > 3) return OTHER;
        quant.add(tq);
        q += 1 + 64 * (pq + 1);
        if (q > end) return OTHER;
      }
    } else if (m === 0xc4) {
      for (let q = s; q < end; ) {
        if (q + 17 > end || b[q]! >> 4 > 1 || (b[q]! & 15) > 3) return OTHER;
        let n = 0;
        for (let k = 1; k <= 16; k++) n += b[q + k]!;
        q += 17 + n;
        if (q > end || n > 256) return OTHER;
      }
    } else if (m === 0xda) {
      if (!frame) return OTHER;
      const ns = b[s]!;
      if (ns < 1 || ns > 4 || len !== 6 + 2 * ns) return OTHER;
      if (frame.tables.some((t) => !quant.has(t))) return OTHER;
      return { state: 'ok', width: frame.width, height: frame.height, scanStart: end };
    }
    p = end;
  }
}

/**
 * True when the entropy-coded data from `p` on reaches an end-of-image marker (through any further tables and scans
 * of a progressive file): in scan data a 0xFF byte is followed only by 0x00 (stuffing), 0xD0–D7 (restart) or a
 * marker, so a file cut anywhere after the headers never has one. EOI right at `p` (no data) does not count.
 */
function jpegReachesEnd(b: Buffer, p: number): boolean {
  const start = p;
  for (;;) {
    const i = b.indexOf(0xff, p);
    if (i < 0 || i + 1 >= b.length) return false;
    const m = b[i + 1]!;
    if (m === 0x00 || m === 0xff || (m >= 0xd0 && m <= 0xd7)) {
      p = i + 1;
      continue;
    }
    if (m === 0xd9) return i > start;
    if (i + 4 > b.length) return false;
    p = i + 2 + ((b[i + 2]! << 8) | b[i + 3]!);
  }
}

/** A JPEG's verdict from the whole file (see {@link checkImageBytes}). */
function checkJpegBytes(b: Buffer, head: JpegHead & { state: 'ok' }): ImageCheck {
  if (!jpegReachesEnd(b, head.scanStart)) return bad('damaged', 'truncated JPEG: the image data ends before the end-of-image marker');
  return sized(head.width, head.height);
}

/** libvips' names of the formats the loader takes. */
const FORMATS = new Set<string>(IMAGE_FORMATS.map((f) => (f === 'jpg' ? 'jpeg' : f === 'tif' ? 'tiff' : f)));

/**
 * Checks that an image file's bytes decode in full, as the loader needs them: a common JPEG by its structure
 * ({@link jpegHead}: headers, then the scan data reaching the end-of-image marker — what tells a complete file from a
 * truncated or header-only one, without the cost of decoding), BMP by our decoder, anything else by a full libvips
 * decode that fails on truncated data. Never throws.
 */
export async function checkImageBytes(bytes: Buffer): Promise<ImageCheck> {
  if (bytes.length === 0) return bad('unreadable', 'empty file (0 bytes)');
  const head = jpegHead(bytes);
  if (head.state === 'ok') return checkJpegBytes(bytes, head);
  if (head.state === 'short') return bad('damaged', 'truncated JPEG: the file ends inside its headers');
  if (isBmp(bytes)) {
    try {
      const b = decodeBmp(bytes);
      return sized(b.width, b.height);
    } catch (e) {
      return bad('damaged', `BMP: ${oneLine((e as Error).message)}`);
    }
  }
  const decode = async (): Promise<ImageCheck> => {
    const img = sharp(bytes, { failOn: 'truncated' });
    const m = await img.metadata();
    if (!FORMATS.has(String(m.format))) return bad('unsupported', `${m.format} content (the loader reads ${IMAGE_FORMATS.join(' ')})`);
    const checked = sized(m.width ?? 0, m.height ?? 0);
    if (!checked.ok) return checked;
    await img.raw().toBuffer();
    return checked;
  };
  try {
    return await decode();
  } catch (e) {
    const reason = oneLine((e as Error).message);
    // A file libvips reads in part (truncated, corrupt data) is damaged; one it does not recognise at all is not an image.
    const format = await sharp(bytes, { failOn: 'none' })
      .metadata()
      .then((m) => String(m.format).toUpperCase())
      .catch(() => undefined);
    if (format === undefined) return bad('unreadable', reason);
    // libvips' error text is kept per process, not per call: with several decodes at once it can come back empty
    const detail = /^unknown error$/i.test(reason) ? '' : ` (libvips: ${reason})`;
    return bad('damaged', `truncated or corrupt ${format} data, does not decode in full${detail}`);
  }
}

/** {@link checkImageBytes} of a file; a file that cannot be read is `unreadable` with the system's reason. */
export async function checkImageFile(file: string): Promise<ImageCheck> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    return bad('unreadable', errnoReason(e));
  }
  return checkImageBytes(bytes);
}

function errnoReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `cannot read the file (${err.code})` : oneLine(String(err.message ?? e));
}

/** Head reads: 4 KiB hold the headers of almost every JPEG; the second read covers large EXIF / ICC segments. */
const HEAD_BYTES = [4096, 262144];
let headBuffers: Buffer[] | undefined;

/**
 * The fast, synchronous form of {@link checkImageFile} for page-cached files (the converter's scan): a common JPEG is
 * checked from its first 4 KiB (headers; 256 KiB when a large EXIF / ICC segment comes first) and its last two bytes
 * (the end-of-image marker; only when they are not, e.g. data after the marker, is the whole file read and walked):
 * an fstat and two reads into reused buffers, no decode. Returns undefined for anything else (PNG, WebP, BMP, unusual
 * JPEG): the caller then runs {@link checkImageFile}.
 */
export function checkImageFileSync(file: string): ImageCheck | undefined {
  headBuffers ??= HEAD_BYTES.map((k) => Buffer.allocUnsafe(k));
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    return bad('unreadable', errnoReason(e));
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return bad('unreadable', 'empty file (0 bytes)');
    let head: JpegHead = OTHER;
    let n = 0;
    for (const buf of headBuffers) {
      n = readSync(fd, buf, 0, Math.min(buf.length, size), 0);
      head = jpegHead(buf.subarray(0, n));
      if (head.state !== 'short' || n === size) break;
    }
    if (head.state === 'other' || (head.state === 'short' && n < size)) return undefined;
    if (head.state === 'short') return bad('damaged', 'truncated JPEG: the file ends inside its headers');
    if (size - 2 > head.scanStart) {
      const tail = headBuffers[0]!;
      readSync(fd, tail, 0, 2, size - 2);
      if (tail[0] === 0xff && tail[1] === 0xd9) return sized(head.width, head.height);
    }
    const whole = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const k = readSync(fd, whole, got, size - got, got);
      if (k === 0) break;
      got += k;
    }
    return checkJpegBytes(whole.subarray(0, got), head);
  } catch (e) {
    return bad('unreadable', errnoReason(e));
  } finally {
    closeSync(fd);
  }
}
