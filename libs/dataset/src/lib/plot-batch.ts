import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import { CLASS_NAMES, resizeBilinear, type Detections } from '@vigil/core';
import { CHART_FONT, svgToPng } from './chart-image.js';

/** The Ultralytics palette the original draws classes with (utils/plots.py Colors). */
export const PLOT_PALETTE = [
  'FF3838', 'FF9D97', 'FF701F', 'FFB21D', 'CFD231', '48F90A', '92CC17', '3DDB86', '1A9334', '00D4BB',
  '2C99A8', '00C2FF', '344593', '6473FF', '0018EC', '8438FF', '520085', 'CB38FF', 'FF95C8', 'FF37C7',
] as const;

/** Options of {@link plotBatch}. */
export interface PlotBatchOptions {
  /** Image paths: their names are written on the tiles. */
  files?: readonly string[];
  names?: readonly string[];
  /** Tile size limit (default 640). */
  maxSize?: number;
  /** Images drawn at most (default 16). */
  maxSubplots?: number;
  /** Columns per row of `targets`: 6 for labels, 7 when a confidence column follows (drawn when > 0.25). */
  targetColumns?: 6 | 7;
  /** JPEG quality (default 90). */
  quality?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A grid picture of a batch with its labelled boxes, like the original's `train_batch0.jpg` (utils/plots.py
 * plot_images): tiles filled column by column, boxes in the class colour with the class name (and confidence), the file
 * name on each tile, white borders, the whole limited to 1280 px. `images` is `[B,H,W,3]` float32 0–1 (or 0–255),
 * `targets` `[n,6]` (image index, class, cx, cy, w, h normalised) or `[n,7]` with a confidence. Returns JPEG bytes.
 */
export async function plotBatch(
  images: Float32Array,
  shape: readonly [number, number, number, number],
  targets: Float32Array,
  options: PlotBatchOptions = {},
): Promise<Buffer> {
  const names = options.names ?? CLASS_NAMES;
  const cols = options.targetColumns ?? 6;
  const [B, H0, W0] = shape;
  const bs = Math.min(B, options.maxSubplots ?? 16);
  const ns = Math.ceil(Math.sqrt(bs));
  const scale = (options.maxSize ?? 640) / Math.max(H0, W0);
  const h = scale < 1 ? Math.ceil(scale * H0) : H0;
  const w = scale < 1 ? Math.ceil(scale * W0) : W0;
  const MW = ns * w;
  const MH = ns * h;
  const mosaic = new Uint8Array(MW * MH * 3).fill(255);
  let maxv = 0;
  for (let k = 0; k < Math.min(images.length, H0 * W0 * 3); k++) if (images[k]! > maxv) maxv = images[k]!;
  const mul = maxv <= 1 ? 255 : 1;
  const svg: string[] = [];
  const tl = 3;
  for (let i = 0; i < bs; i++) {
    const bx = w * Math.floor(i / ns);
    const by = h * (i % ns);
    const plane = H0 * W0 * 3;
    const tile = new Uint8Array(plane);
    for (let k = 0; k < plane; k++) {
      const v = images[i * plane + k]! * mul;
      tile[k] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
    const img = scale < 1 ? resizeBilinear({ data: tile, width: W0, height: H0, channels: 3 }, w, h) : { data: tile, width: W0, height: H0 };
    for (let y = 0; y < h; y++) mosaic.set(img.data.subarray(y * w * 3, (y + 1) * w * 3), ((by + y) * MW + bx) * 3);
    // a tile's boxes, labels and file name are clipped to the tile
    svg.push(`<clipPath id="t${i}"><rect x="${bx}" y="${by}" width="${w}" height="${h}"/></clipPath><g clip-path="url(#t${i})">`);
    for (let t = 0; t + cols <= targets.length; t += cols) {
      if (targets[t] !== i) continue;
      const conf = cols === 7 ? targets[t + 6]! : undefined;
      if (conf !== undefined && conf <= 0.25) continue;
      const cls = Math.round(targets[t + 1]!);
      let [cx, cy, bw, bh] = [targets[t + 2]!, targets[t + 3]!, targets[t + 4]!, targets[t + 5]!];
      if (Math.max(cx + bw / 2, cy + bh / 2) <= 1.01) {
        cx *= w;
        bw *= w;
        cy *= h;
        bh *= h;
      } else if (scale < 1) {
        cx *= scale;
        cy *= scale;
        bw *= scale;
        bh *= scale;
      }
      // clipped to its tile (an untrained model's boxes can be larger than the image and would cross other tiles)
      const x1 = bx + Math.max(0, cx - bw / 2);
      const y1 = by + Math.max(0, cy - bh / 2);
      bw = bx + Math.min(w, cx + bw / 2) - x1;
      bh = by + Math.min(h, cy + bh / 2) - y1;
      if (!(bw > 0 && bh > 0)) continue;
      const color = `#${PLOT_PALETTE[cls % PLOT_PALETTE.length]}`;
      const label = `${names[cls] ?? cls}${conf !== undefined ? ` ${conf.toFixed(1)}` : ''}`;
      const fs = 12;
      const tw = label.length * fs * 0.6 + 4;
      // the label sits above the box, or just inside it when that would leave the tile (upstream's Annotator)
      const ly = y1 - fs - 4 >= by ? y1 - fs - 4 : y1;
      svg.push(
        `<rect x="${x1.toFixed(1)}" y="${y1.toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" fill="none" stroke="${color}" stroke-width="${tl}"/>`,
        `<rect x="${x1.toFixed(1)}" y="${ly.toFixed(1)}" width="${tw.toFixed(1)}" height="${fs + 4}" fill="${color}"/>`,
        `<text x="${(x1 + 2).toFixed(1)}" y="${(ly + fs).toFixed(1)}" font-family="${CHART_FONT}" font-size="${fs}" fill="#e1e1e1">${esc(label)}</text>`,
      );
    }
    const file = options.files?.[i];
    if (file) svg.push(`<text x="${bx + 5}" y="${by + 20}" font-family="${CHART_FONT}" font-size="16" fill="#dcdcdc">${esc(basename(file).slice(0, 40))}</text>`);
    svg.push(`</g><rect x="${bx}" y="${by}" width="${w}" height="${h}" fill="none" stroke="#ffffff" stroke-width="3"/>`);
  }
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${MW}" height="${MH}">${svg.join('')}</svg>`;
  const r = Math.min(1280 / Math.max(h, w) / ns, 1);
  let pipeline = sharp(Buffer.from(mosaic.buffer, mosaic.byteOffset, mosaic.length), { raw: { width: MW, height: MH, channels: 3 } }).composite([
    // the overlay through resvg with the shipped font (sharp's librsvg would need system fonts for the text)
    { input: await svgToPng(overlay, 1), top: 0, left: 0 },
  ]);
  if (r < 1) {
    // Resize after compositing (the overlay must be flattened first).
    const composed = await pipeline.png().toBuffer();
    pipeline = sharp(composed).resize(Math.trunc(MW * r), Math.trunc(MH * r), { fit: 'fill', kernel: 'linear' });
  }
  return pipeline.jpeg({ quality: options.quality ?? 90 }).toBuffer();
}

/**
 * Detections of a batch's images (boxes xyxy in the batch's pixels) as {@link plotBatch}'s 7-column targets
 * `[n,7]` (image index, class, cx, cy, w, h in pixels, confidence), for the `val_batch*_pred.jpg` pictures.
 */
export function detectionsToTargets(detections: readonly Detections[]): Float32Array {
  const n = detections.reduce((a, d) => a + d.count, 0);
  const out = new Float32Array(n * 7);
  let o = 0;
  detections.forEach((d, i) => {
    for (let k = 0; k < d.count; k++, o += 7) {
      const [x1, y1, x2, y2] = [d.boxes[4 * k]!, d.boxes[4 * k + 1]!, d.boxes[4 * k + 2]!, d.boxes[4 * k + 3]!];
      out.set([i, d.classes[k]!, (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, d.scores[k]!], o);
    }
  });
  return out;
}

/** {@link plotBatch} written to `file` (e.g. `runs/train/exp/train_batch0.jpg`). */
export async function savePlotBatch(
  file: string,
  images: Float32Array,
  shape: readonly [number, number, number, number],
  targets: Float32Array,
  options: PlotBatchOptions = {},
): Promise<void> {
  await writeFile(file, await plotBatch(images, shape, targets, options));
}
