import type { Rng } from '@vigil/core';
import type { PerspectiveHyp } from './hyp.js';

/**
 * The random draws of one `random_perspective` call, separated from the drawing so tests (and golden values from the
 * original) can inject them. Units as in the original: degrees for angles, fractions of the output size for the
 * translation.
 */
export interface PerspectiveParams {
  /** P[2,0] ~ U(−perspective, perspective) (x perspective, about y). */
  perspectiveX: number;
  /** P[2,1] ~ U(−perspective, perspective) (y perspective, about x). */
  perspectiveY: number;
  /** Rotation a ~ U(−degrees, degrees), degrees, counter-clockwise as cv2.getRotationMatrix2D. */
  angle: number;
  /** Scale s ~ U(1 − scale, 1 + scale). */
  scale: number;
  /** x shear ~ U(−shear, shear), degrees: S[0,1] = tan(shearX·π/180). */
  shearX: number;
  /** y shear ~ U(−shear, shear), degrees: S[1,0] = tan(shearY·π/180). */
  shearY: number;
  /** T[0,2] / output width, ~ U(0.5 − translate, 0.5 + translate). */
  translateX: number;
  /** T[1,2] / output height, ~ U(0.5 − translate, 0.5 + translate). */
  translateY: number;
}

/** Draws the parameters in the original's order (P x, P y, angle, scale, shear x, shear y, T x, T y). */
export function drawPerspectiveParams(hyp: PerspectiveHyp, rng: Rng): PerspectiveParams {
  const { degrees, translate, scale, shear, perspective } = hyp;
  return {
    perspectiveX: rng.uniform(-perspective, perspective),
    perspectiveY: rng.uniform(-perspective, perspective),
    angle: rng.uniform(-degrees, degrees),
    scale: rng.uniform(1 - scale, 1 + scale),
    shearX: rng.uniform(-shear, shear),
    shearY: rng.uniform(-shear, shear),
    translateX: rng.uniform(0.5 - translate, 0.5 + translate),
    translateY: rng.uniform(0.5 - translate, 0.5 + translate),
  };
}

/** 3×3 row-major product a·b. */
export function matmul3(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
    }
  }
  return out;
}

/**
 * The original's `M = T @ S @ R @ P @ C` (right to left: centre the input, perspective, rotation + scale, shear,
 * translation into the output), as a 3×3 row-major matrix mapping input pixels → output pixels.
 * R is `cv2.getRotationMatrix2D(center=(0,0), angle, scale)`.
 */
export function perspectiveMatrix(p: PerspectiveParams, inWidth: number, inHeight: number, outWidth: number, outHeight: number): Float64Array {
  const C = Float64Array.of(1, 0, -inWidth / 2, 0, 1, -inHeight / 2, 0, 0, 1);
  const P = Float64Array.of(1, 0, 0, 0, 1, 0, p.perspectiveX, p.perspectiveY, 1);
  const rad = p.angle * (Math.PI / 180); // cv2: angle *= CV_PI/180
  const alpha = Math.cos(rad) * p.scale;
  const beta = Math.sin(rad) * p.scale;
  const R = Float64Array.of(alpha, beta, 0, -beta, alpha, 0, 0, 0, 1);
  const S = Float64Array.of(1, Math.tan((p.shearX * Math.PI) / 180), 0, Math.tan((p.shearY * Math.PI) / 180), 1, 0, 0, 0, 1);
  const T = Float64Array.of(1, 0, p.translateX * outWidth, 0, 1, p.translateY * outHeight, 0, 0, 1);
  // numpy evaluates T @ S @ R @ P @ C left to right; keep the same association for identical rounding.
  return matmul3(matmul3(matmul3(matmul3(T, S), R), P), C);
}

/** True when `m` is exactly the 3×3 identity (the original then skips the warp). */
export function isIdentity3x3(m: ArrayLike<number>): boolean {
  return m[0] === 1 && m[1] === 0 && m[2] === 0 && m[3] === 0 && m[4] === 1 && m[5] === 0 && m[6] === 0 && m[7] === 0 && m[8] === 1;
}
