const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → nearest float16 (round half to even, with subnormals, overflow to ±Inf) → float32. */
export function roundToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = bits & 0x80000000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return x; // Inf / NaN
  const a = Math.abs(f32[0]!);
  let h: number;
  if (a >= 65520) {
    h = Infinity; // ≥ max half + half ulp rounds to Inf
  } else if (exp < 113) {
    // half subnormal range (|x| < 2^-14): quantum 2^-24, ties to even
    const q = a * 16777216; // a / 2^-24
    let r = Math.round(q);
    if (Math.abs(q % 1) === 0.5 && r % 2 !== 0) r -= 1;
    h = r / 16777216;
  } else {
    // normal half: keep 10 of the 23 mantissa bits, ties to even
    const drop = mant & 0x1fff;
    let m = mant >>> 13;
    let e = exp;
    if (drop > 0x1000 || (drop === 0x1000 && (m & 1) === 1)) {
      m += 1;
      if (m === 0x400) {
        m = 0;
        e += 1;
      }
    }
    u32[0] = (e << 23) | (m << 13);
    h = f32[0]!;
  }
  return sign ? -h : h;
}

/**
 * `tensor.half().float()` on an array: every value rounded to float16 precision. The original's train.py does
 * `model.half().float()` once before training ("pre-reduce anchor precision"), which rounds the anchors AND all
 * weights and buffers of a fresh model.
 */
export function roundArrayToHalf(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = roundToHalf(x[i]!);
  return out;
}
