import type { ImageU8 } from './image.js';
import { resizeBilinear } from './resize-bilinear.js';

/** Per output column (or row): source indices and weights of OpenCV's `computeResizeAreaTab`. */
function areaTable(ssize: number, dsize: number, scale: number): { start: Int32Array; idx: Int32Array; w: Float32Array } {
  const idx: number[] = [];
  const w: number[] = [];
  const start = new Int32Array(dsize + 1);
  const f32 = Math.fround;
  for (let d = 0; d < dsize; d++) {
    start[d] = idx.length;
    const fsx1 = d * scale;
    const fsx2 = fsx1 + scale;
    const cellWidth = Math.min(scale, ssize - fsx1);
    const sx1 = Math.ceil(fsx1);
    const sx2 = Math.floor(fsx2);
    const sx2c = Math.min(sx2, ssize - 1);
    const sx1c = Math.min(sx1, sx2c);
    if (sx1c - fsx1 > 1e-3) {
      idx.push(sx1c - 1);
      w.push(f32((sx1c - fsx1) / cellWidth));
    }
    for (let s = sx1c; s < sx2c; s++) {
      idx.push(s);
      w.push(f32(1 / cellWidth));
    }
    if (fsx2 - sx2c > 1e-3) {
      idx.push(sx2c);
      w.push(f32(Math.min(Math.min(fsx2 - sx2c, 1), cellWidth) / cellWidth));
    }
  }
  start[dsize] = idx.length;
  return { start, idx: Int32Array.from(idx), w: Float32Array.from(w) };
}

/** cvRound of a saturate_cast<uchar>: round half to even, clamp to 0–255. */
function toU8(v: number): number {
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/**
 * Shrinks an 8-bit image with OpenCV's `INTER_AREA` (what the original's `load_image` uses when shrinking without
 * augmentation): integer factors average k×k blocks with `(sum + k²/2) / k²`; other factors weight every source pixel
 * by its overlap with the destination cell (`computeResizeAreaTab`, float weights, round half to even). Enlarging
 * falls back to bilinear, as OpenCV does.
 */
export function resizeArea(src: ImageU8, width: number, height: number): ImageU8 {
  const { width: sw, height: sh, channels: ch } = src;
  if (width === sw && height === sh) return { data: new Uint8Array(src.data), width, height, channels: ch };
  if (width > sw || height > sh) return resizeBilinear(src, width, height);
  const sx = sw / width;
  const sy = sh / height;
  const out = new Uint8Array(width * height * ch);
  const s = src.data;
  const ix = Math.round(sx);
  const iy = Math.round(sy);
  if (Math.abs(sx - ix) < Number.EPSILON && Math.abs(sy - iy) < Number.EPSILON) {
    const area = ix * iy;
    const half = area >> 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < ch; c++) {
          let sum = 0;
          for (let dy = 0; dy < iy; dy++) {
            let o = ((y * iy + dy) * sw + x * ix) * ch + c;
            for (let dx = 0; dx < ix; dx++, o += ch) sum += s[o]!;
          }
          out[(y * width + x) * ch + c] = Math.floor((sum + half) / area);
        }
      }
    }
    return { data: out, width, height, channels: ch };
  }
  const tx = areaTable(sw, width, sx);
  const ty = areaTable(sh, height, sy);
  const f32 = Math.fround;
  const row = new Float32Array(width * ch);
  const acc = new Float32Array(width * ch);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let k = ty.start[y]!; k < ty.start[y + 1]!; k++) {
      const syi = ty.idx[k]!;
      const wy = ty.w[k]!;
      row.fill(0);
      const base = syi * sw * ch;
      for (let x = 0; x < width; x++) {
        for (let j = tx.start[x]!; j < tx.start[x + 1]!; j++) {
          const o = base + tx.idx[j]! * ch;
          const wx = tx.w[j]!;
          for (let c = 0; c < ch; c++) row[x * ch + c] = f32(row[x * ch + c]! + f32(s[o + c]! * wx));
        }
      }
      for (let i = 0; i < acc.length; i++) acc[i] = f32(acc[i]! + f32(row[i]! * wy));
    }
    const o = y * width * ch;
    for (let i = 0; i < acc.length; i++) out[o + i] = toU8(acc[i]!);
  }
  return { data: out, width, height, channels: ch };
}
