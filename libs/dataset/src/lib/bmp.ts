/**
 * A small Windows BMP reader: libvips (and so sharp) cannot read BMP, one of the original's image formats (cv2 reads
 * it). Handles the headers seen in practice (BITMAPCOREHEADER, BITMAPINFOHEADER, V2–V5), 1/4/8-bit palettes, RLE4 and
 * RLE8, 16-bit (5-5-5 or bit fields), 24-bit, 32-bit (BI_RGB or bit fields, alpha when a mask says so), bottom-up and
 * top-down rows. Embedded JPEG/PNG (BI_JPEG/BI_PNG) and colour profiles are not supported (reported as such).
 */

/** Size and layout read from a BMP header. */
export interface BmpHeader {
  width: number;
  height: number;
  /** Rows stored top row first (negative height in the header). */
  topDown: boolean;
  bitsPerPixel: number;
  /** 0 BI_RGB, 1 RLE8, 2 RLE4, 3 BI_BITFIELDS, 6 BI_ALPHABITFIELDS. */
  compression: number;
  /** Offset of the pixel array. */
  dataOffset: number;
  /** Palette as RGB triplets (palette formats). */
  palette: Uint8Array;
  /** Channel masks for 16/32-bit bit-field images; alpha mask 0 when there is none. */
  masks: { r: number; g: number; b: number; a: number };
}

/** A decoded BMP: HWC uint8, 3 channels, or 4 when the file has an alpha channel. */
export interface DecodedBmp {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** True when the bytes start with the BMP signature `BM`. */
export function isBmp(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d;
}

/** Reads the BMP file and info headers (at least the first 14 + 124 bytes, or the whole file). Throws on anything unsupported. */
export function parseBmpHeader(b: Uint8Array): BmpHeader {
  if (!isBmp(b) || b.length < 26) throw new Error('not a BMP file');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataOffset = dv.getUint32(10, true);
  const dib = dv.getUint32(14, true);
  let width: number;
  let rawHeight: number;
  let bitsPerPixel: number;
  let compression = 0;
  let colors = 0;
  if (dib === 12) {
    width = dv.getUint16(18, true);
    rawHeight = dv.getInt16(20, true);
    bitsPerPixel = dv.getUint16(24, true);
  } else if (dib >= 40 && b.length >= 14 + 40) {
    width = dv.getInt32(18, true);
    rawHeight = dv.getInt32(22, true);
    bitsPerPixel = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    colors = dv.getUint32(46, true);
  } else throw new Error(`unsupported BMP header size ${dib}`);
  if (compression === 4 || compression === 5) throw new Error('BMP with embedded JPEG/PNG is not supported: convert it to PNG');
  if (![0, 1, 2, 3, 6].includes(compression)) throw new Error(`unsupported BMP compression ${compression}`);
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) throw new Error(`unsupported BMP bit depth ${bitsPerPixel}`);
  if ((compression === 1 && bitsPerPixel !== 8) || (compression === 2 && bitsPerPixel !== 4)) throw new Error('inconsistent BMP RLE header');
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) throw new Error(`invalid BMP size ${width}×${rawHeight}`);
  let masks = { r: 0, g: 0, b: 0, a: 0 };
  if (bitsPerPixel === 16) masks = { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 };
  if (bitsPerPixel === 32) masks = { r: 0xff0000, g: 0xff00, b: 0xff, a: 0 };
  if (compression === 3 || compression === 6) {
    // Masks follow a 40-byte header (or are part of V2+ headers at the same place).
    if (b.length < 14 + 40 + 12) throw new Error('truncated BMP header');
    masks = { r: dv.getUint32(54, true), g: dv.getUint32(58, true), b: dv.getUint32(62, true), a: 0 };
    if ((dib >= 56 || compression === 6) && b.length >= 14 + 40 + 16) masks.a = dv.getUint32(66, true);
  } else if (bitsPerPixel === 32 && dib >= 108 && b.length >= 70) {
    const a = dv.getUint32(66, true);
    if (a) masks.a = a;
  }
  let palette = new Uint8Array(0);
  if (bitsPerPixel <= 8) {
    const n = colors || 1 << bitsPerPixel;
    const entry = dib === 12 ? 3 : 4;
    const start = 14 + dib + (compression === 3 && dib === 40 ? 12 : compression === 6 && dib === 40 ? 16 : 0);
    if (start + n * entry > b.length) throw new Error('truncated BMP palette');
    palette = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      palette[i * 3] = b[start + i * entry + 2]!;
      palette[i * 3 + 1] = b[start + i * entry + 1]!;
      palette[i * 3 + 2] = b[start + i * entry]!;
    }
  }
  return { width, height, topDown: rawHeight < 0, bitsPerPixel, compression, dataOffset, palette, masks };
}

/** Extracts a channel with `mask` from a pixel value, scaled to 0–255. */
function maskReader(mask: number): (v: number) => number {
  if (!mask) return () => 255;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0 && shift < 32) shift++;
  let bits = 0;
  while (((mask >>> (shift + bits)) & 1) === 1 && shift + bits < 32) bits++;
  const max = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  return (v) => Math.round((((v & mask) >>> shift) * 255) / max);
}

/** Decodes a whole BMP file. Throws on truncated or unsupported files. */
export function decodeBmp(b: Uint8Array): DecodedBmp {
  const h = parseBmpHeader(b);
  const { width, height, bitsPerPixel: bpp, palette } = h;
  const hasAlpha = h.masks.a !== 0;
  const channels = hasAlpha ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  const rowOf = (stored: number) => (h.topDown ? stored : height - 1 - stored);
  const setIndex = (x: number, y: number, idx: number) => {
    if (x >= width || y >= height) return;
    const o = (rowOf(y) * width + x) * channels;
    const p = Math.min(idx, palette.length / 3 - 1) * 3;
    out[o] = palette[p]!;
    out[o + 1] = palette[p + 1]!;
    out[o + 2] = palette[p + 2]!;
  };
  if (h.compression === 1 || h.compression === 2) {
    // RLE8 / RLE4: runs and absolute blocks, end-of-line 00 00, end-of-bitmap 00 01, delta 00 02 dx dy. Pixels that
    // deltas or early line ends skip are palette entry 0 (as Pillow decodes them).
    for (let o = 0; o < out.length; o += channels) out.set(palette.subarray(0, 3), o);
    let p = h.dataOffset;
    let x = 0;
    let y = 0;
    const four = h.compression === 2;
    for (;;) {
      if (p + 1 >= b.length) throw new Error('truncated BMP RLE data');
      const n = b[p]!;
      const v = b[p + 1]!;
      p += 2;
      if (n > 0) {
        for (let i = 0; i < n; i++) setIndex(x++, y, four ? (i % 2 === 0 ? v >> 4 : v & 15) : v);
      } else if (v === 0) {
        x = 0;
        y++;
      } else if (v === 1) break;
      else if (v === 2) {
        if (p + 1 >= b.length) throw new Error('truncated BMP RLE data');
        x += b[p]!;
        y += b[p + 1]!;
        p += 2;
      } else {
        const bytes = four ? Math.ceil(v / 2) : v;
        if (p + bytes > b.length) throw new Error('truncated BMP RLE data');
        for (let i = 0; i < v; i++) setIndex(x++, y, four ? (i % 2 === 0 ? b[p + (i >> 1)]! >> 4 : b[p + (i >> 1)]! & 15) : b[p + i]!);
        p += bytes + (bytes % 2);
      }
    }
    return { data: out, width, height, channels };
  }
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (h.dataOffset + stride * (height - 1) + Math.ceil((width * bpp) / 8) > b.length) throw new Error('truncated BMP pixel data');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const rd = { r: maskReader(h.masks.r), g: maskReader(h.masks.g), b: maskReader(h.masks.b), a: maskReader(h.masks.a) };
  for (let sy = 0; sy < height; sy++) {
    const row = h.dataOffset + sy * stride;
    let o = rowOf(sy) * width * channels;
    for (let x = 0; x < width; x++, o += channels) {
      if (bpp <= 8) {
        const bit = x * bpp;
        const byte = b[row + (bit >> 3)]!;
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const p = Math.min(idx, palette.length / 3 - 1) * 3;
        out[o] = palette[p]!;
        out[o + 1] = palette[p + 1]!;
        out[o + 2] = palette[p + 2]!;
      } else if (bpp === 24) {
        const q = row + x * 3;
        out[o] = b[q + 2]!;
        out[o + 1] = b[q + 1]!;
        out[o + 2] = b[q]!;
      } else {
        const v = bpp === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
        out[o] = rd.r(v);
        out[o + 1] = rd.g(v);
        out[o + 2] = rd.b(v);
        if (hasAlpha) out[o + 3] = rd.a(v);
      }
    }
  }
  return { data: out, width, height, channels };
}

/**
 * Encodes HWC uint8 pixels (1, 3 or 4 channels) as an uncompressed BMP: 24-bit, or 32-bit BI_BITFIELDS with alpha
 * (V4 header) for 4 channels; rows bottom-up. For tests and tools.
 */
export function encodeBmp(data: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Uint8Array {
  const alpha = channels === 4;
  const bpp = alpha ? 32 : 24;
  const dib = alpha ? 108 : 40;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const offset = 14 + dib;
  const out = new Uint8Array(offset + stride * height);
  const dv = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  dv.setUint32(2, out.length, true);
  dv.setUint32(10, offset, true);
  dv.setUint32(14, dib, true);
  dv.setInt32(18, width, true);
  dv.setInt32(22, height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, bpp, true);
  dv.setUint32(30, alpha ? 3 : 0, true);
  dv.setUint32(34, stride * height, true);
  if (alpha) {
    dv.setUint32(54, 0x00ff0000, true);
    dv.setUint32(58, 0x0000ff00, true);
    dv.setUint32(62, 0x000000ff, true);
    dv.setUint32(66, 0xff000000, true);
  }
  for (let y = 0; y < height; y++) {
    const row = offset + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const [r, g, b] = channels === 1 ? [data[i]!, data[i]!, data[i]!] : [data[i]!, data[i + 1]!, data[i + 2]!];
      const q = row + x * (bpp / 8);
      out[q] = b;
      out[q + 1] = g;
      out[q + 2] = r;
      if (alpha) out[q + 3] = data[i + 3]!;
    }
  }
  return out;
}
