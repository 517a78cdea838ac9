import { Rng } from '@vigil/core';
import type { ClassName } from '@vigil/core';

/** One labelled object of a synthetic frame: class name and tight box xyxy in image pixels (integers). */
export interface SynthObject {
  class: ClassName;
  position: [number, number, number, number];
}

/** A synthetic frame before rasterisation: its SVG, its objects, and the photometric changes applied after rendering. */
export interface SynthScene {
  width: number;
  height: number;
  svg: string;
  objects: SynthObject[];
  /** Gaussian blur sigma in pixels applied to the rendered frame (0 = none). */
  blur: number;
  /** Output pixel = (rendered − 128)·contrast + 128 + brightness + N(0, noise). */
  contrast: number;
  brightness: number;
  noise: number;
  /** JPEG quality. */
  quality: number;
}

/**
 * Probabilities of the synthetic set, taken from the real train split's counts (seed README: per 253,224 images
 * 419,135 eye_opened, 74,551 eye_closed, 35,233 mouth_opened, 127,282 mouth_closed, 11,792 phone, 10,499 cigar):
 * eyes closed ≈ 15 % of eyes, a mouth is labelled in ≈ 64 % of images (elsewhere covered by a mask or a hand),
 * 22 % of labelled mouths are open, phone ≈ 4.7 % and cigar ≈ 4.1 % of images.
 */
export const SYNTH_PRIORS = {
  eyesClosed: 0.15,
  /** One eye closed, the other open (winks, squints): a small share of the closed eyes. */
  oneEyeClosed: 0.02,
  mouthVisible: 0.64,
  mouthOpen: 0.22,
  phone: 0.047,
  cigar: 0.041,
} as const;

export type SynthPriors = { [K in keyof typeof SYNTH_PRIORS]: number };

/**
 * Parts of a scene whose random draws follow one another; {@link buildSynthScene} reports each start so a caller can
 * reseed there (the driving clip: the same face frame after frame whatever the states drawn before).
 */
export type SynthSection = 'eyes' | 'eye-0' | 'eye-1' | 'nose' | 'mouth' | 'cigar' | 'phone' | 'photometric';

const f1 = (v: number) => Math.round(v * 10) / 10;

/** Axis-aligned half-extents of an ellipse (radii rx, ry) rotated by `theta` radians. */
function rotatedEllipseHalf(rx: number, ry: number, theta: number): [number, number] {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return [Math.sqrt(rx * rx * c * c + ry * ry * s * s), Math.sqrt(rx * rx * s * s + ry * ry * c * c)];
}

/** Axis-aligned half-extents of a w×h rectangle rotated by `theta` radians. */
function rotatedRectHalf(w: number, h: number, theta: number): [number, number] {
  const c = Math.abs(Math.cos(theta));
  const s = Math.abs(Math.sin(theta));
  return [(w * c + h * s) / 2, (w * s + h * c) / 2];
}

/**
 * Builds one synthetic in-cabin frame: a driver's head and shoulders against a car interior, grayscale, with eyes
 * (open/closed), an optional mouth (open/closed; hidden by a mask otherwise), and rarely a phone at the ear or a cigar
 * at the mouth. Geometry, pose (roll), lighting, contrast, noise, blur and JPEG quality vary. Every labelled box is
 * the rotated shape's exact bounding box, rounded outwards to whole pixels and clipped to the frame.
 * Deterministic: the same `rng` state gives the same scene. `onSection` is told the start of each {@link SynthSection}
 * (it may reseed `rng` there; without it the draws are those of the synthetic data set).
 */
export function buildSynthScene(
  rng: Rng,
  width = 640,
  height = 480,
  priors: SynthPriors = SYNTH_PRIORS,
  onSection?: (section: SynthSection) => void,
): SynthScene {
  const u = (a: number, b: number) => rng.uniform(a, b);
  const grey = (v: number) => {
    const g = Math.max(0, Math.min(255, Math.round(v)));
    return `rgb(${g},${g},${g})`;
  };
  const objects: SynthObject[] = [];
  const addBox = (cls: ClassName, cx: number, cy: number, hx: number, hy: number) => {
    const x1 = Math.max(0, Math.floor(cx - hx));
    const y1 = Math.max(0, Math.floor(cy - hy));
    const x2 = Math.min(width, Math.ceil(cx + hx));
    const y2 = Math.min(height, Math.ceil(cy + hy));
    if (x2 - x1 >= 2 && y2 - y1 >= 2) objects.push({ class: cls, position: [x1, y1, x2, y2] });
  };
  const parts: string[] = [];

  // Cabin background: a vertical gradient, a window patch, a seat head-rest and a pillar.
  const bgTop = u(20, 110);
  const bgBottom = u(10, 90);
  parts.push(
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${grey(bgTop)}"/>` +
      `<stop offset="1" stop-color="${grey(bgBottom)}"/></linearGradient>` +
      `<radialGradient id="skin" cx="0.45" cy="0.4" r="0.65"><stop offset="0" stop-color="${grey(u(170, 235))}"/>` +
      `<stop offset="1" stop-color="${grey(u(95, 160))}"/></radialGradient></defs>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="url(#bg)"/>`,
  );
  const winX = u(-0.1, 0.6) * width;
  parts.push(
    `<rect x="${f1(winX)}" y="${f1(u(-0.1, 0.15) * height)}" width="${f1(u(0.3, 0.6) * width)}" height="${f1(u(0.2, 0.45) * height)}" ` +
      `rx="${f1(u(5, 40))}" fill="${grey(u(90, 230))}" opacity="${f1(u(0.3, 0.9))}"/>`,
    `<rect x="${f1(u(0, 1) * width)}" y="0" width="${f1(u(0.02, 0.08) * width)}" height="${height}" fill="${grey(u(10, 80))}" ` +
      `transform="rotate(${f1(u(-25, 25))} ${width / 2} ${height / 2})"/>`,
  );

  // Head geometry: face height 25–60 % of the frame height, fully inside the frame.
  const fh = u(0.25, 0.6) * height;
  const fw = fh * u(0.68, 0.82);
  const roll = u(-18, 18);
  const theta = (roll * Math.PI) / 180;
  const [faceHx, faceHy] = rotatedEllipseHalf(fw / 2, fh / 2, theta);
  const margin = 0.02 * width;
  const fcx = u(faceHx + margin, width - faceHx - margin);
  const fcy = u(faceHy + margin, Math.max(faceHy + margin + 1, height - faceHy - margin));
  const headrestW = fw * u(1.2, 1.6);
  parts.push(
    `<rect x="${f1(fcx - headrestW / 2 + u(-0.2, 0.2) * fw)}" y="${f1(fcy - fh * u(0.55, 0.8))}" width="${f1(headrestW)}" ` +
      `height="${f1(fh * u(0.7, 1.0))}" rx="${f1(fw * 0.25)}" fill="${grey(u(25, 120))}"/>`,
  );
  // Shoulders and neck (under the face, never labelled).
  const torsoGrey = u(20, 160);
  parts.push(
    `<ellipse cx="${f1(fcx)}" cy="${f1(fcy + fh * 1.15)}" rx="${f1(fw * u(1.1, 1.5))}" ry="${f1(fh * 0.6)}" fill="${grey(torsoGrey)}"/>`,
    `<rect x="${f1(fcx - fw * 0.2)}" y="${f1(fcy + fh * 0.3)}" width="${f1(fw * 0.4)}" height="${f1(fh * 0.45)}" fill="${grey(u(90, 170))}"/>`,
  );

  // Face and its parts, drawn in the face's own frame (origin at the face centre) and rotated by `roll`.
  const face: string[] = [];
  face.push(`<ellipse data-c="face" cx="0" cy="0" rx="${f1(fw / 2)}" ry="${f1(fh / 2)}" fill="url(#skin)"/>`);
  // Hair: a dark cap clipped to the upper part of the face ellipse (stays inside the face box).
  face.push(
    `<clipPath id="fc"><ellipse cx="0" cy="0" rx="${f1(fw / 2)}" ry="${f1(fh / 2)}"/></clipPath>`,
    `<ellipse cx="0" cy="${f1(-fh * 0.5)}" rx="${f1(fw * 0.6)}" ry="${f1(fh * u(0.12, 0.25))}" fill="${grey(u(5, 60))}" clip-path="url(#fc)"/>`,
  );
  const toImage = (x: number, y: number): [number, number] => [
    fcx + x * Math.cos(theta) - y * Math.sin(theta),
    fcy + x * Math.sin(theta) + y * Math.cos(theta),
  ];

  // Eyes.
  const bothClosed = rng.chance(priors.eyesClosed);
  const oneClosed = !bothClosed && rng.chance(priors.oneEyeClosed);
  const closedSide = rng.int(2);
  onSection?.('eyes');
  const eyeY = -fh * u(0.06, 0.14);
  const eyeDx = fw * u(0.19, 0.24);
  const eyeRx = fw * u(0.09, 0.12);
  const eyeRy = eyeRx * u(0.5, 0.65);
  const browGrey = u(10, 70);
  for (let side = 0; side < 2; side++) {
    onSection?.(side === 0 ? 'eye-0' : 'eye-1');
    const ex = side === 0 ? -eyeDx : eyeDx;
    const closed = bothClosed || (oneClosed && side === closedSide);
    const [cx, cy] = toImage(ex, eyeY);
    // Eyebrow above the eye (not labelled, outside the eye box).
    face.push(
      `<ellipse cx="${f1(ex)}" cy="${f1(eyeY - eyeRy * 2.1)}" rx="${f1(eyeRx * 1.1)}" ry="${f1(eyeRy * 0.3)}" fill="${grey(browGrey)}"/>`,
    );
    if (closed) {
      // A closed eye: the eye region as a shaded socket (same size as an open eye, so that the state is told by the
      // content, not the box shape) crossed by a dark lid line with lashes.
      const lid = Math.max(1.5, eyeRy * u(0.25, 0.4));
      face.push(
        `<ellipse data-c="eye_closed" cx="${f1(ex)}" cy="${f1(eyeY)}" rx="${f1(eyeRx)}" ry="${f1(eyeRy)}" fill="${grey(u(90, 150))}"/>`,
        `<path d="M ${f1(ex - (eyeRx - lid / 2))} ${f1(eyeY)} Q ${f1(ex)} ${f1(eyeY + eyeRy * u(0.3, 0.7))} ${f1(ex + (eyeRx - lid / 2))} ${f1(eyeY)}" ` +
          `stroke="${grey(u(0, 40))}" stroke-width="${f1(lid)}" fill="none" stroke-linecap="round"/>`,
      );
      const [hx, hy] = rotatedEllipseHalf(eyeRx, eyeRy, theta);
      addBox('eye_closed', cx, cy, hx, hy);
    } else {
      // An open eye: bright sclera, dark iris and pupil, a specular dot.
      const irisR = eyeRy * u(0.7, 0.95);
      const irisX = ex + u(-0.35, 0.35) * (eyeRx - irisR);
      face.push(
        `<ellipse data-c="eye_opened" cx="${f1(ex)}" cy="${f1(eyeY)}" rx="${f1(eyeRx)}" ry="${f1(eyeRy)}" fill="${grey(u(200, 255))}" stroke="${grey(u(20, 60))}" stroke-width="${f1(Math.max(1, eyeRy * 0.12))}"/>`,
        `<circle cx="${f1(irisX)}" cy="${f1(eyeY)}" r="${f1(irisR)}" fill="${grey(u(30, 90))}"/>`,
        `<circle cx="${f1(irisX)}" cy="${f1(eyeY)}" r="${f1(irisR * 0.45)}" fill="${grey(u(0, 20))}"/>`,
        `<circle cx="${f1(irisX + irisR * 0.3)}" cy="${f1(eyeY - irisR * 0.3)}" r="${f1(irisR * 0.15)}" fill="rgb(255,255,255)"/>`,
      );
      const sw = Math.max(1, eyeRy * 0.12) / 2;
      const [hx, hy] = rotatedEllipseHalf(eyeRx + sw, eyeRy + sw, theta);
      addBox('eye_opened', cx, cy, hx, hy);
    }
  }
  // Nose (not labelled).
  onSection?.('nose');
  face.push(
    `<path d="M ${f1(-fw * 0.06)} ${f1(fh * 0.12)} Q 0 ${f1(fh * 0.17)} ${f1(fw * 0.06)} ${f1(fh * 0.12)}" stroke="${grey(u(60, 120))}" stroke-width="${f1(Math.max(1, fw * 0.015))}" fill="none"/>`,
  );

  // Mouth (or a mask covering it).
  onSection?.('mouth');
  const mouthY = fh * u(0.26, 0.31);
  const mouthVisible = rng.chance(priors.mouthVisible);
  let mouthCentre: [number, number] | undefined;
  const mouthRx = fw * u(0.13, 0.18);
  if (mouthVisible) {
    const open = rng.chance(priors.mouthOpen);
    let ry: number;
    if (open) {
      ry = fh * u(0.06, 0.1);
      const lip = Math.max(1.5, ry * 0.25);
      face.push(
        `<ellipse data-c="mouth_opened" cx="0" cy="${f1(mouthY)}" rx="${f1(mouthRx)}" ry="${f1(ry)}" fill="${grey(u(0, 30))}" stroke="${grey(u(80, 140))}" stroke-width="${f1(lip)}"/>`,
        `<rect x="${f1(-mouthRx * 0.5)}" y="${f1(mouthY - ry * 0.85)}" width="${f1(mouthRx)}" height="${f1(ry * 0.3)}" fill="${grey(u(200, 250))}"/>`,
      );
      const [hx, hy] = rotatedEllipseHalf(mouthRx + lip / 2, ry + lip / 2, theta);
      const [cx, cy] = toImage(0, mouthY);
      addBox('mouth_opened', cx, cy, hx, hy);
    } else {
      ry = fh * u(0.028, 0.042);
      face.push(
        `<ellipse data-c="mouth_closed" cx="0" cy="${f1(mouthY)}" rx="${f1(mouthRx)}" ry="${f1(ry)}" fill="${grey(u(70, 120))}"/>`,
        `<path d="M ${f1(-mouthRx * 0.95)} ${f1(mouthY)} L ${f1(mouthRx * 0.95)} ${f1(mouthY)}" stroke="${grey(u(10, 50))}" stroke-width="${f1(Math.max(1.5, ry * 0.35))}"/>`,
      );
      const [hx, hy] = rotatedEllipseHalf(mouthRx, ry, theta);
      const [cx, cy] = toImage(0, mouthY);
      addBox('mouth_closed', cx, cy, hx, hy);
    }
    mouthCentre = [0, mouthY];
  } else {
    // A face mask: light rounded shape over the lower face, inside the face ellipse.
    face.push(
      `<rect x="${f1(-fw * 0.36)}" y="${f1(fh * 0.08)}" width="${f1(fw * 0.72)}" height="${f1(fh * 0.34)}" rx="${f1(fw * 0.15)}" fill="${grey(u(150, 240))}" clip-path="url(#fc)"/>`,
    );
  }
  parts.push(`<g transform="translate(${f1(fcx)} ${f1(fcy)}) rotate(${f1(roll)})">${face.join('')}</g>`);
  // The face box is the face ellipse's exact bounding box (geometry uses the same rounded radii as the SVG).
  addBox('face', f1(fcx), f1(fcy), ...rotatedEllipseHalf(f1(fw / 2), f1(fh / 2), (f1(roll) * Math.PI) / 180));

  // Cigar at a mouth corner.
  onSection?.('cigar');
  if (mouthCentre && rng.chance(priors.cigar)) {
    const side = rng.chance(0.5) ? 1 : -1;
    const len = fw * u(0.3, 0.45);
    const thick = Math.max(3, fw * u(0.035, 0.05));
    const ang = theta + (side === 1 ? 1 : -1) * ((u(5, 35) * Math.PI) / 180);
    const dir = side === 1 ? ang : Math.PI + ang;
    const [sx, sy] = toImage(mouthCentre[0] + side * mouthRx * 0.7, mouthCentre[1]);
    const cx = sx + Math.cos(dir) * len * 0.5;
    const cy = sy + Math.sin(dir) * len * 0.5;
    const deg = (dir * 180) / Math.PI;
    parts.push(
      `<g transform="translate(${f1(cx)} ${f1(cy)}) rotate(${f1(deg)})">` +
        `<rect data-c="cigar" x="${f1(-len / 2)}" y="${f1(-thick / 2)}" width="${f1(len)}" height="${f1(thick)}" fill="${grey(u(190, 245))}"/>` +
        `<rect x="${f1(len / 2 - len * 0.12)}" y="${f1(-thick / 2)}" width="${f1(len * 0.12)}" height="${f1(thick)}" fill="${grey(u(230, 255))}"/>` +
        `<rect x="${f1(-len / 2)}" y="${f1(-thick / 2)}" width="${f1(len * 0.25)}" height="${f1(thick)}" fill="${grey(u(100, 160))}"/></g>`,
    );
    const [hx, hy] = rotatedRectHalf(f1(len), f1(thick), (f1(deg) * Math.PI) / 180);
    addBox('cigar', f1(cx), f1(cy), hx, hy);
  }

  // Phone held at an ear, with a hand.
  onSection?.('phone');
  if (rng.chance(priors.phone)) {
    const side = rng.chance(0.5) ? 1 : -1;
    const pw = fw * u(0.22, 0.3);
    const ph = fh * u(0.42, 0.55);
    // Held against the ear, tilted away from the face: its inner edge stays outside the eyes (|x| ≤ 0.37·fw).
    const [cx, cy] = toImage(side * (fw * 0.5 + pw * 0.4), fh * u(0, 0.12));
    const deg = roll + side * u(0, 15);
    parts.push(
      `<ellipse cx="${f1(cx + side * pw * 0.2)}" cy="${f1(cy + ph * 0.3)}" rx="${f1(pw * 0.7)}" ry="${f1(ph * 0.35)}" fill="url(#skin)"/>`,
      `<g transform="translate(${f1(cx)} ${f1(cy)}) rotate(${f1(deg)})">` +
        `<rect data-c="phone" x="${f1(-pw / 2)}" y="${f1(-ph / 2)}" width="${f1(pw)}" height="${f1(ph)}" rx="${f1(pw * 0.15)}" fill="${grey(u(0, 40))}"/>` +
        `<rect x="${f1(-pw * 0.4)}" y="${f1(-ph * 0.42)}" width="${f1(pw * 0.8)}" height="${f1(ph * 0.84)}" rx="${f1(pw * 0.08)}" fill="${grey(u(40, 140))}"/></g>`,
    );
    // A rounded rectangle = the inner rectangle grown by a disc of the corner radius: exact rotated bounds.
    const cr = f1(pw * 0.15);
    const [hx, hy] = rotatedRectHalf(f1(pw) - 2 * cr, f1(ph) - 2 * cr, (f1(deg) * Math.PI) / 180);
    addBox('phone', f1(cx), f1(cy), hx + cr, hy + cr);
  }

  onSection?.('photometric');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    parts.join('') +
    `</svg>`;
  return {
    width,
    height,
    svg,
    objects,
    blur: rng.chance(0.5) ? u(0.3, 1.8) : 0,
    contrast: u(0.6, 1.3),
    brightness: u(-45, 45),
    noise: u(2, 12),
    quality: Math.round(u(70, 95)),
  };
}
