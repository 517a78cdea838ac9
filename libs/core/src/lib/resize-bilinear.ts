import type { ImageU8 } from './image.js';

/** cvRound of a float: round half to even. */
function rint(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Source index and the two 11-bit fixed-point weights per output coordinate, as OpenCV's resize computes them:
 * f = float((d + 0.5)·scale − 0.5), s = floor(f), f −= s, weights round((1 − f)·2048) and round(f·2048) (each rounded
 * on its own, so they may sum to 2047 or 2049). `clamp` (columns) moves out-of-range taps to the edge with weight
 * (2048, 0); rows are not clamped (only their indices are), as OpenCV does.
 */
function taps(ssize: number, dsize: number, clamp: boolean): { i0: Int32Array; w0: Int32Array; w1: Int32Array } {
  const f32 = Math.fround;
  const scale = 1 / (dsize / ssize);
  const i0 = new Int32Array(dsize);
  const w0 = new Int32Array(dsize);
  const w1 = new Int32Array(dsize);
  for (let d = 0; d < dsize; d++) {
    let f = f32((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = f32(f - s);
    if (clamp && s < 0) {
      f = 0;
      s = 0;
    }
    if (clamp && s >= ssize - 1) {
      f = 0;
      s = ssize - 1;
    }
    i0[d] = s;
    w0[d] = rint(f32(f32(1 - f) * 2048));
    w1[d] = rint(f32(f * 2048));
  }
  return { i0, w0, w1 };
}

/**
 * Bilinear resize of an 8-bit image, bit-exact with OpenCV 4's `cv2.resize(..., INTER_LINEAR)` on 8-bit images
 * (golden-tested): half-pixel centres, 11-bit fixed-point weights, horizontal pass in integers, vertical pass as
 * OpenCV's SIMD path `((b0·(S0>>4))>>16) + ((b1·(S1>>4))>>16) + 2) >> 2`, edge rows/columns clamped; no
 * anti-aliasing when shrinking. Used by `loadImage` when enlarging (and when augmenting) and by `letterbox`.
 */
export function resizeBilinear(src: ImageU8, width: number, height: number): ImageU8 {
  const { width: sw, height: sh, channels: ch } = src;
  if (width === sw && height === sh) return { data: new Uint8Array(src.data), width, height, channels: ch };
  const tx = taps(sw, width, true);
  const ty = taps(sh, height, false);
  const out = new Uint8Array(width * height * ch);
  const s = src.data;
  const n = width * ch;
  // the two most recent horizontal rows (consecutive output rows usually share them)
  const slots = [
    { index: -1, row: new Int32Array(n) },
    { index: -1, row: new Int32Array(n) },
  ];
  const hrow = (y: number, dst: Int32Array) => {
    const base = y * sw * ch;
    for (let x = 0; x < width; x++) {
      const a = base + tx.i0[x]! * ch;
      const b = tx.i0[x]! < sw - 1 ? a + ch : a;
      const w0 = tx.w0[x]!;
      const w1 = tx.w1[x]!;
      for (let c = 0; c < ch; c++) dst[x * ch + c] = s[a + c]! * w0 + s[b + c]! * w1;
    }
  };
  const rowOf = (y: number, keep: number): Int32Array => {
    for (const sl of slots) if (sl.index === y) return sl.row;
    const sl = slots[0]!.index === keep ? slots[1]! : slots[0]!;
    hrow(y, sl.row);
    sl.index = y;
    return sl.row;
  };
  for (let y = 0; y < height; y++) {
    const y0 = Math.min(Math.max(ty.i0[y]!, 0), sh - 1);
    const y1 = Math.min(Math.max(ty.i0[y]! + 1, 0), sh - 1);
    const r0 = rowOf(y0, y1);
    const r1 = rowOf(y1, y0);
    const b0 = ty.w0[y]!;
    const b1 = ty.w1[y]!;
    const o = y * n;
    for (let k = 0; k < n; k++) {
      const v = (((b0 * (r0[k]! >> 4)) >> 16) + ((b1 * (r1[k]! >> 4)) >> 16) + 2) >> 2;
      out[o + k] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data: out, width, height, channels: ch };
}
