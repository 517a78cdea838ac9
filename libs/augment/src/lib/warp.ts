import type { ImageU8 } from '@vigil/core';

/**
 * Affine and perspective warps of 8-bit images with bilinear interpolation and a constant border, reproducing
 * OpenCV's `cv2.warpAffine` / `cv2.warpPerspective` with `INTER_LINEAR` (what the original's `random_perspective`
 * calls): the matrix maps source → destination and is inverted; source coordinates are quantised to 1/32 pixel
 * (OpenCV's INTER_BITS = 5) and the four weights are integers summing to 1024, so the result is integer arithmetic
 * like OpenCV's fixed-point path. Tight typed-array loops, no per-pixel closures.
 */

const INTER_BITS = 5;
const INTER_TAB = 1 << INTER_BITS; // 32 sub-pixel positions
const INTER_MASK = INTER_TAB - 1;
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB / 2; // 16
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** C's lrint / OpenCV's cvRound: round half to even, saturated to int32. */
export function cvRound(v: number): number {
  if (!(v === v)) return INT_MIN; // NaN: OpenCV's conversion gives INT_MIN on x86
  if (v >= INT_MAX) return INT_MAX;
  if (v <= INT_MIN) return INT_MIN;
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Inverse of a 2×3 affine matrix (OpenCV's `invertAffineTransform` arithmetic); singular → zeros like OpenCV. */
export function invertAffine(m: ArrayLike<number>): Float64Array {
  let d = m[0]! * m[4]! - m[1]! * m[3]!;
  d = d !== 0 ? 1 / d : 0;
  const a11 = m[4]! * d;
  const a22 = m[0]! * d;
  const a12 = -m[1]! * d;
  const a21 = -m[3]! * d;
  const b1 = -a11 * m[2]! - a12 * m[5]!;
  const b2 = -a21 * m[2]! - a22 * m[5]!;
  return Float64Array.of(a11, a12, b1, a21, a22, b2);
}

/** Inverse of a 3×3 matrix (row-major) by the adjugate; a singular matrix gives zeros, as `cv2.invert` does. */
export function invert3x3(m: ArrayLike<number>): Float64Array {
  const [a, b, c, d, e, f, g, h, i] = Array.from({ length: 9 }, (_, k) => m[k]!) as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (det === 0 || !Number.isFinite(det)) return new Float64Array(9);
  const r = 1 / det;
  return Float64Array.of(
    A * r, -(b * i - c * h) * r, (b * f - c * e) * r,
    B * r, (a * i - c * g) * r, -(a * f - c * d) * r,
    C * r, -(a * h - b * g) * r, (a * e - b * d) * r,
  );
}

/**
 * Samples `src` at fixed-point source coordinates (in 1/32 px) for one destination row.
 * `xs`/`ys` hold the quantised coordinates of each destination pixel of the row.
 */
function sampleRow(src: ImageU8, xs: Int32Array, ys: Int32Array, n: number, dst: Uint8Array, dstOffset: number, border: number): void {
  const { data, width: w, height: h, channels: cn } = src;
  const w1 = w - 1;
  const h1 = h - 1;
  const stride = w * cn;
  let o = dstOffset;
  if (cn === 3) {
    for (let x = 0; x < n; x++, o += 3) {
      const X = xs[x]!;
      const Y = ys[x]!;
      const sx = X >> INTER_BITS;
      const sy = Y >> INTER_BITS;
      const fx = X & INTER_MASK;
      const fy = Y & INTER_MASK;
      const w00 = (INTER_TAB - fx) * (INTER_TAB - fy);
      const w01 = fx * (INTER_TAB - fy);
      const w10 = (INTER_TAB - fx) * fy;
      const w11 = fx * fy;
      if (sx >= 0 && sy >= 0 && sx < w1 && sy < h1) {
        const p = sy * stride + sx * 3;
        const q = p + stride;
        dst[o] = (data[p]! * w00 + data[p + 3]! * w01 + data[q]! * w10 + data[q + 3]! * w11 + 512) >> 10;
        dst[o + 1] = (data[p + 1]! * w00 + data[p + 4]! * w01 + data[q + 1]! * w10 + data[q + 4]! * w11 + 512) >> 10;
        dst[o + 2] = (data[p + 2]! * w00 + data[p + 5]! * w01 + data[q + 2]! * w10 + data[q + 5]! * w11 + 512) >> 10;
      } else if (sx >= w || sx + 1 < 0 || sy >= h || sy + 1 < 0) {
        dst[o] = border;
        dst[o + 1] = border;
        dst[o + 2] = border;
      } else {
        const in0x = sx >= 0;
        const in1x = sx + 1 < w;
        const in0y = sy >= 0;
        const in1y = sy + 1 < h;
        const p = sy * stride + sx * 3;
        const q = p + stride;
        for (let c = 0; c < 3; c++) {
          const v00 = in0x && in0y ? data[p + c]! : border;
          const v01 = in1x && in0y ? data[p + 3 + c]! : border;
          const v10 = in0x && in1y ? data[q + c]! : border;
          const v11 = in1x && in1y ? data[q + 3 + c]! : border;
          dst[o + c] = (v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + 512) >> 10;
        }
      }
    }
  } else {
    for (let x = 0; x < n; x++, o++) {
      const X = xs[x]!;
      const Y = ys[x]!;
      const sx = X >> INTER_BITS;
      const sy = Y >> INTER_BITS;
      const fx = X & INTER_MASK;
      const fy = Y & INTER_MASK;
      const w00 = (INTER_TAB - fx) * (INTER_TAB - fy);
      const w01 = fx * (INTER_TAB - fy);
      const w10 = (INTER_TAB - fx) * fy;
      const w11 = fx * fy;
      if (sx >= 0 && sy >= 0 && sx < w1 && sy < h1) {
        const p = sy * w + sx;
        const q = p + w;
        dst[o] = (data[p]! * w00 + data[p + 1]! * w01 + data[q]! * w10 + data[q + 1]! * w11 + 512) >> 10;
      } else if (sx >= w || sx + 1 < 0 || sy >= h || sy + 1 < 0) {
        dst[o] = border;
      } else {
        const p = sy * w + sx;
        const q = p + w;
        const v00 = sx >= 0 && sy >= 0 ? data[p]! : border;
        const v01 = sx + 1 < w && sy >= 0 ? data[p + 1]! : border;
        const v10 = sx >= 0 && sy + 1 < h ? data[q]! : border;
        const v11 = sx + 1 < w && sy + 1 < h ? data[q + 1]! : border;
        dst[o] = (v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + 512) >> 10;
      }
    }
  }
}

function checkWarpArgs(src: ImageU8, width: number, height: number, border: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`warp output size must be positive integers, got ${width}×${height}`);
  }
  if (src.data.length !== src.width * src.height * src.channels) {
    throw new RangeError(`image data length ${src.data.length} ≠ ${src.width}×${src.height}×${src.channels}`);
  }
  if (!Number.isInteger(border) || border < 0 || border > 255) throw new RangeError(`border value must be an integer 0–255, got ${border}`);
}

/**
 * `cv2.warpAffine(src, M, (width, height), flags=INTER_LINEAR, borderMode=BORDER_CONSTANT, borderValue=border)`.
 * @param m forward 2×3 matrix (source → destination pixels), row-major, 6 numbers.
 */
export function warpAffine(src: ImageU8, m: ArrayLike<number>, width: number, height: number, border = 114): ImageU8 {
  checkWarpArgs(src, width, height, border);
  const inv = invertAffine(m);
  const cn = src.channels;
  const out = new Uint8Array(width * height * cn);
  const adelta = new Int32Array(width);
  const bdelta = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    adelta[x] = cvRound(inv[0]! * x * AB_SCALE);
    bdelta[x] = cvRound(inv[3]! * x * AB_SCALE);
  }
  const shift = AB_BITS - INTER_BITS;
  if (inv[1] === 0 && inv[3] === 0) {
    // No rotation or shear (scale + translation, the hyp files' case): source x depends on x only, y on y only.
    const X0 = cvRound(inv[2]! * AB_SCALE) + ROUND_DELTA;
    const xs = new Int32Array(width);
    for (let x = 0; x < width; x++) xs[x] = (X0 + adelta[x]!) >> shift;
    const ys = new Int32Array(height);
    for (let y = 0; y < height; y++) ys[y] = (cvRound((inv[4]! * y + inv[5]!) * AB_SCALE) + ROUND_DELTA) >> shift;
    warpSeparable(src, xs, ys, out, width, height, border);
    return { data: out, width, height, channels: cn };
  }
  const xs = new Int32Array(width);
  const ys = new Int32Array(width);
  for (let y = 0; y < height; y++) {
    const X0 = cvRound((inv[1]! * y + inv[2]!) * AB_SCALE) + ROUND_DELTA;
    const Y0 = cvRound((inv[4]! * y + inv[5]!) * AB_SCALE) + ROUND_DELTA;
    for (let x = 0; x < width; x++) {
      // int32 wrap-around like OpenCV's int arithmetic; only reached for absurd matrices.
      xs[x] = (X0 + adelta[x]!) >> shift;
      ys[x] = (Y0 + bdelta[x]!) >> shift;
    }
    sampleRow(src, xs, ys, width, out, y * width * cn, border);
  }
  return { data: out, width, height, channels: cn };
}

/**
 * Bilinear sampling when source x depends only on the output column and source y only on the output row
 * (`xs[x]`, `ys[y]` in 1/32 px). Same integer arithmetic as {@link sampleRow}; the interior columns form one
 * contiguous run (x ↦ source x is monotonic), sampled without bounds checks.
 */
function warpSeparable(src: ImageU8, xs: Int32Array, ys: Int32Array, out: Uint8Array, width: number, height: number, border: number): void {
  const { data, width: w, height: h, channels: cn } = src;
  const stride = w * cn;
  const colOff = new Int32Array(width);
  const colFx = new Int32Array(width);
  let xa = width;
  let xb = 0;
  for (let x = 0; x < width; x++) {
    const sx = xs[x]! >> INTER_BITS;
    colOff[x] = sx * cn;
    colFx[x] = xs[x]! & INTER_MASK;
    if (sx >= 0 && sx < w - 1) {
      if (x < xa) xa = x;
      xb = x + 1;
    }
  }
  const rowXs = new Int32Array(width);
  const rowYs = new Int32Array(width);
  rowXs.set(xs);
  for (let y = 0; y < height; y++) {
    const Y = ys[y]!;
    const sy = Y >> INTER_BITS;
    const o = y * width * cn;
    if (sy < 0 || sy >= h - 1 || xa >= xb) {
      // Row touches the border: the general sampler handles partial and empty taps.
      if (sy >= h || sy + 1 < 0) {
        out.fill(border, o, o + width * cn);
      } else {
        rowYs.fill(Y);
        sampleRow(src, rowXs, rowYs, width, out, o, border);
      }
      continue;
    }
    rowYs.fill(Y);
    if (xa > 0) sampleRow(src, rowXs, rowYs, xa, out, o, border);
    if (xb < width) sampleRow(src, rowXs.subarray(xb), rowYs.subarray(xb), width - xb, out, o + xb * cn, border);
    const fy = Y & INTER_MASK;
    const gy = INTER_TAB - fy;
    const r0 = sy * stride;
    const r1 = r0 + stride;
    if (cn === 3) {
      for (let x = xa, d = o + xa * 3; x < xb; x++, d += 3) {
        const fx = colFx[x]!;
        const gx = INTER_TAB - fx;
        const p = r0 + colOff[x]!;
        const q = r1 + colOff[x]!;
        const w00 = gx * gy;
        const w01 = fx * gy;
        const w10 = gx * fy;
        const w11 = fx * fy;
        out[d] = (data[p]! * w00 + data[p + 3]! * w01 + data[q]! * w10 + data[q + 3]! * w11 + 512) >> 10;
        out[d + 1] = (data[p + 1]! * w00 + data[p + 4]! * w01 + data[q + 1]! * w10 + data[q + 4]! * w11 + 512) >> 10;
        out[d + 2] = (data[p + 2]! * w00 + data[p + 5]! * w01 + data[q + 2]! * w10 + data[q + 5]! * w11 + 512) >> 10;
      }
    } else {
      for (let x = xa, d = o + xa; x < xb; x++, d++) {
        const fx = colFx[x]!;
        const gx = INTER_TAB - fx;
        const p = r0 + colOff[x]!;
        const q = r1 + colOff[x]!;
        // = (a·gx·gy + b·fx·gy + c·gx·fy + d·fx·fy + 512) >> 10, factored (exact in integers)
        out[d] = (gy * (data[p]! * gx + data[p + 1]! * fx) + fy * (data[q]! * gx + data[q + 1]! * fx) + 512) >> 10;
      }
    }
  }
}

/**
 * `cv2.warpPerspective(src, M, (width, height), flags=INTER_LINEAR, borderValue=border)`.
 * @param m forward 3×3 matrix (source → destination pixels), row-major, 9 numbers.
 */
export function warpPerspective(src: ImageU8, m: ArrayLike<number>, width: number, height: number, border = 114): ImageU8 {
  checkWarpArgs(src, width, height, border);
  const inv = invert3x3(m);
  const cn = src.channels;
  const out = new Uint8Array(width * height * cn);
  const xs = new Int32Array(width);
  const ys = new Int32Array(width);
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = inv as unknown as [number, number, number, number, number, number, number, number, number];
  for (let y = 0; y < height; y++) {
    const X0 = m1 * y + m2;
    const Y0 = m4 * y + m5;
    const W0 = m7 * y + m8;
    for (let x = 0; x < width; x++) {
      let W = W0 + m6 * x;
      W = W ? INTER_TAB / W : 0;
      const fX = Math.max(INT_MIN, Math.min(INT_MAX, (X0 + m0 * x) * W));
      const fY = Math.max(INT_MIN, Math.min(INT_MAX, (Y0 + m3 * x) * W));
      xs[x] = cvRound(fX);
      ys[x] = cvRound(fY);
    }
    sampleRow(src, xs, ys, width, out, y * width * cn, border);
  }
  return { data: out, width, height, channels: cn };
}
