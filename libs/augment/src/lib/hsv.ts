import type { ImageU8, Rng } from '@vigil/core';

/**
 * YOLOv5 `augment_hsv`: multiplies hue, saturation and value by random gains through 8-bit lookup tables, with
 * OpenCV's 8-bit HSV conventions (H in [0,180), S and V in [0,255]). The round trip reproduces OpenCV 4's
 * vectorised `cvtColor` path that the original runs on every 640-wide row: integer RGB→HSV with OpenCV's division
 * tables, then float32 HSV→RGB **truncated** (not rounded) back to 8 bits (`HSV2RGB_b`'s SIMD loop; only the scalar
 * tail of a row whose width is not a multiple of the SIMD block rounds instead).
 *
 * Grey pixels (R = G = B) have S = 0 and H = 0, which every LUT maps to 0, so they come back grey with only the value
 * LUT applied: grayscale-in-RGB images (the in-cabin IR frames) and 1-channel images take that shortcut, and only
 * `hsv_v` has any effect on them.
 */

const HSV_SHIFT = 12;
const SDIV = new Int32Array(256);
const HDIV180 = new Int32Array(256);
for (let i = 1; i < 256; i++) {
  SDIV[i] = Math.round((255 << HSV_SHIFT) / i); // never an exact .5, so Math.round = cvRound here
  HDIV180[i] = Math.round((180 << HSV_SHIFT) / (6 * i));
}
const F255 = Math.fround(1 / 255);
const HSCALE = Math.fround(6 / 180);
const fr = Math.fround;

// float32 tables of the HSV→RGB inputs: s/255 and v/255 (same table), 1 − s/255, and per hue the sector and the
// fractional part h·(6/180) − sector, and 1 − that.
const UNIT = Float32Array.from({ length: 256 }, (_, x) => fr(x * F255));
const ONE_MINUS_UNIT = Float32Array.from(UNIT, (u) => fr(1 - u));
const HUE_SECTOR = Uint8Array.from({ length: 256 }, (_, h) => Math.trunc(fr(h * HSCALE)));
const HUE_FRAC = Float32Array.from({ length: 256 }, (_, h) => fr(fr(h * HSCALE) - Math.trunc(fr(h * HSCALE))));
const HUE_FRAC1 = Float32Array.from(HUE_FRAC, (f) => fr(1 - f));

/** The three gains `U(−1,1)·[hgain, sgain, vgain] + 1` (draw order h, s, v as numpy's). */
export function drawHsvGains(hgain: number, sgain: number, vgain: number, rng: Rng): [number, number, number] {
  return [rng.uniform(-1, 1) * hgain + 1, rng.uniform(-1, 1) * sgain + 1, rng.uniform(-1, 1) * vgain + 1];
}

/** The original's LUTs: hue `(x·g) mod 180`, saturation and value `clip(x·g, 0, 255)`, truncated to uint8. */
export function hsvLuts(gains: readonly [number, number, number]): { hue: Uint8Array; sat: Uint8Array; val: Uint8Array } {
  const hue = new Uint8Array(256);
  const sat = new Uint8Array(256);
  const val = new Uint8Array(256);
  for (let x = 0; x < 256; x++) {
    const h = x * gains[0];
    hue[x] = Math.trunc(h - 180 * Math.floor(h / 180)); // numpy's % is a floor-mod: always in [0, 180)
    sat[x] = Math.trunc(Math.min(Math.max(x * gains[1], 0), 255));
    val[x] = Math.trunc(Math.min(Math.max(x * gains[2], 0), 255));
  }
  return { hue, sat, val };
}

/**
 * Applies fixed gains (the deterministic half of {@link augmentHsv}); returns a new image. RGB images go through
 * RGB → HSV → LUT → RGB per pixel like the original's cv2 round trip; grey pixels and 1-channel images use the value
 * LUT directly (identical result, see the module note).
 */
export function applyHsvGains(img: ImageU8, gains: readonly [number, number, number]): ImageU8 {
  const out = new Uint8Array(img.data.length);
  hsvGainsInto(img, gains, out);
  return { ...img, data: out };
}

/** {@link applyHsvGains} into `out` (which may be `img.data`: each pixel is read before it is written). */
export function hsvGainsInto(img: ImageU8, gains: readonly [number, number, number], out: Uint8Array): void {
  const { hue, sat, val } = hsvLuts(gains);
  const src = img.data;
  if (out.length !== src.length) throw new RangeError('hsvGainsInto: output length differs from the image');
  if (img.channels === 1) {
    lookupInto(src, val, out);
    return;
  }
  let lastKey = -1;
  let lr = 0;
  let lg = 0;
  let lb = 0;
  for (let i = 0; i < src.length; i += 3) {
    const r = src[i]!;
    const g = src[i + 1]!;
    const b = src[i + 2]!;
    if (r === g && g === b) {
      // S = 0: float32 v·(1/255)·255 truncates back to v for every 8-bit v, so the value LUT is the whole story.
      const v = val[r]!;
      out[i] = v;
      out[i + 1] = v;
      out[i + 2] = v;
      continue;
    }
    const key = (r << 16) | (g << 8) | b;
    if (key !== lastKey) {
      lastKey = key;
      // cv2 RGB2HSV_b (integer).
      const v = r > g ? (r > b ? r : b) : g > b ? g : b;
      const diff = v - (r < g ? (r < b ? r : b) : g < b ? g : b);
      const s = (diff * SDIV[v]! + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
      let h = v === r ? g - b : v === g ? b - r + 2 * diff : r - g + 4 * diff;
      h = (h * HDIV180[diff]! + (1 << (HSV_SHIFT - 1))) >> HSV_SHIFT;
      if (h < 0) h += 180;
      // LUTs, then cv2 HSV2RGB_b's vector path (float32, truncating; all factors in [0, 1] so no saturation needed).
      const s2 = sat[s]!;
      const v2 = val[v]!;
      if (s2 === 0) {
        lr = lg = lb = v2;
      } else {
        const h2 = hue[h]!;
        const sf = UNIT[s2]!;
        const vf = UNIT[v2]!;
        const t0 = v2; // trunc(float32(float32(v/255)·255)) = v, as for grey pixels
        const t1 = fr(fr(vf * ONE_MINUS_UNIT[s2]!) * 255) | 0;
        // OpenCV's AVX2 build fuses 1 − s·h into one FMA (single rounding): the float32 product is exact in a double.
        const t2 = fr(fr(vf * fr(1 - sf * HUE_FRAC[h2]!)) * 255) | 0;
        const t3 = fr(fr(vf * fr(1 - sf * HUE_FRAC1[h2]!)) * 255) | 0;
        switch (HUE_SECTOR[h2]) {
          case 0: lr = t0; lg = t3; lb = t1; break;
          case 1: lr = t2; lg = t0; lb = t1; break;
          case 2: lr = t1; lg = t0; lb = t3; break;
          case 3: lr = t1; lg = t2; lb = t0; break;
          case 4: lr = t3; lg = t1; lb = t0; break;
          default: lr = t0; lg = t1; lb = t2; break;
        }
      }
    }
    out[i] = lr;
    out[i + 1] = lg;
    out[i + 2] = lb;
  }
}

/** `out[i] = lut[src[i]]` (its own small function: a monomorphic loop V8 optimises on its own). */
function lookupInto(src: Uint8Array, lut: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]!]!;
}

/**
 * YOLOv5 `augment_hsv(img, hgain, sgain, vgain)` with gains drawn from `rng`; returns a new image.
 * **Decision** (SPEC §4): when all three gains are 0 the image is returned unchanged (a copy) and nothing is drawn —
 * the original still runs its lossy RGB→HSV→RGB round trip there.
 */
export function augmentHsv(img: ImageU8, hgain: number, sgain: number, vgain: number, rng: Rng): ImageU8 {
  if (hgain === 0 && sgain === 0 && vgain === 0) return { ...img, data: img.data.slice() };
  return applyHsvGains(img, drawHsvGains(hgain, sgain, vgain, rng));
}
