import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { CLASS_NAMES } from '@vigil/core';
import { PLOT_PALETTE } from './plot-batch.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One box to draw: xyxy in pixels of the image file, class index, optional confidence. */
export interface DrawBox {
  box: readonly [number, number, number, number];
  cls: number;
  conf?: number;
}

/**
 * Draws boxes on an image file (the original detect.py's `plot_one_box` look: class colour, line width from the image
 * size, a filled label with the class name and confidence) and returns JPEG bytes. EXIF orientation is applied first,
 * so boxes are in the orientation the loader sees.
 */
export async function drawDetections(
  file: string,
  boxes: readonly DrawBox[],
  options: { names?: readonly string[]; quality?: number } = {},
): Promise<Buffer> {
  const base = sharp(file).autoOrient();
  const { data, info } = await base.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  return sharp(data, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(detectionsOverlay(width, height, boxes, options.names ?? CLASS_NAMES)), top: 0, left: 0 }])
    .jpeg({ quality: options.quality ?? 90 })
    .toBuffer();
}

/**
 * {@link drawDetections} on an RGB24 frame in memory (a video frame), with an optional caption line at the top left
 * (e.g. the alerts on); returns the drawn RGB24 pixels.
 */
export async function drawDetectionsRgb(
  rgb: Uint8Array,
  width: number,
  height: number,
  boxes: readonly DrawBox[],
  options: { names?: readonly string[]; caption?: string } = {},
): Promise<Uint8Array> {
  const overlay = detectionsOverlay(width, height, boxes, options.names ?? CLASS_NAMES, options.caption);
  const out = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(overlay), top: 0, left: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The SVG overlay: one box and label a detection (class colour, line width from the image size), and the caption. */
function detectionsOverlay(width: number, height: number, boxes: readonly DrawBox[], names: readonly string[], caption?: string): string {
  const tl = Math.max(2, Math.round((0.003 * (width + height)) / 2));
  const fs = Math.max(10, 4 * tl + 6);
  const parts: string[] = [];
  for (const d of boxes) {
    const [x1, y1, x2, y2] = d.box;
    const color = `#${PLOT_PALETTE[d.cls % PLOT_PALETTE.length]}`;
    const label = `${names[d.cls] ?? d.cls}${d.conf !== undefined ? ` ${d.conf.toFixed(2)}` : ''}`;
    const tw = label.length * fs * 0.6 + 4;
    const ty = y1 - fs - 4 < 0 ? y1 : y1 - fs - 4;
    parts.push(
      `<rect x="${x1.toFixed(1)}" y="${y1.toFixed(1)}" width="${(x2 - x1).toFixed(1)}" height="${(y2 - y1).toFixed(1)}" fill="none" stroke="${color}" stroke-width="${tl}"/>`,
      `<rect x="${x1.toFixed(1)}" y="${ty.toFixed(1)}" width="${tw.toFixed(1)}" height="${fs + 4}" fill="${color}"/>`,
      `<text x="${(x1 + 2).toFixed(1)}" y="${(ty + fs).toFixed(1)}" font-family="sans-serif" font-size="${fs}" fill="#ffffff">${esc(label)}</text>`,
    );
  }
  if (caption) {
    parts.push(
      `<rect x="0" y="0" width="${(caption.length * fs * 0.6 + 8).toFixed(1)}" height="${fs + 8}" fill="#c00000"/>`,
      `<text x="4" y="${fs + 2}" font-family="sans-serif" font-size="${fs}" fill="#ffffff">${esc(caption)}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** {@link drawDetections} written to `out`. */
export async function saveDetectionsImage(file: string, out: string, boxes: readonly DrawBox[], options: { names?: readonly string[] } = {}): Promise<void> {
  await writeFile(out, await drawDetections(file, boxes, options));
}
