import type { ImageU8 } from '@vigil/core';

/**
 * Bilinear resize of an 8-bit image with OpenCV's `INTER_LINEAR` conventions (half-pixel centres, edge clamp,
 * 11-bit fixed-point weights, no anti-aliasing when shrinking). Within ±1 of `cv2.resize` on every pixel.
 * Plain JS: used by `letterbox` (rarely resizes in practice) and by `loadImage` in augmenting mode.
 */
export function resizeBilinear(src: ImageU8, width: number, height: number): ImageU8 {
  const { width: sw, height: sh, channels: ch } = src;
  if (width === sw && height === sh) return { data: new Uint8Array(src.data), width, height, channels: ch };
  const xs0 = new Int32Array(width);
  const xw = new Int32Array(width); // weight of the right neighbour, ×2048
  const sx = sw / width;
  for (let x = 0; x < width; x++) {
    let f = (x + 0.5) * sx - 0.5;
    let i = Math.floor(f);
    f -= i;
    if (i < 0) {
      i = 0;
      f = 0;
    }
    if (i >= sw - 1) {
      i = sw - 1;
      f = 0;
    }
    xs0[x] = i;
    xw[x] = Math.round(f * 2048);
  }
  const sy = sh / height;
  const out = new Uint8Array(width * height * ch);
  const row0 = new Int32Array(width * ch);
  const row1 = new Int32Array(width * ch);
  const s = src.data;
  const hrow = (y: number, dst: Int32Array) => {
    const base = y * sw * ch;
    for (let x = 0; x < width; x++) {
      const a = base + xs0[x]! * ch;
      const b = xs0[x]! < sw - 1 ? a + ch : a;
      const w1 = xw[x]!;
      const w0 = 2048 - w1;
      for (let c = 0; c < ch; c++) dst[x * ch + c] = s[a + c]! * w0 + s[b + c]! * w1;
    }
  };
  for (let y = 0; y < height; y++) {
    let f = (y + 0.5) * sy - 0.5;
    let i = Math.floor(f);
    f -= i;
    if (i < 0) {
      i = 0;
      f = 0;
    }
    if (i >= sh - 1) {
      i = sh - 1;
      f = 0;
    }
    const i1 = Math.min(i + 1, sh - 1);
    hrow(i, row0);
    if (i1 !== i) hrow(i1, row1);
    const w1 = Math.round(f * 2048);
    const w0 = 2048 - w1;
    const o = y * width * ch;
    const r1 = i1 !== i ? row1 : row0;
    for (let k = 0; k < width * ch; k++) out[o + k] = (row0[k]! * w0 + r1[k]! * w1 + (1 << 21)) >> 22;
  }
  return { data: out, width, height, channels: ch };
}
