import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { VigilUserError, checkRange } from '@vigil/core';

/**
 * Converts an RGB24 frame to planar YUV 4:2:0 (BT.601, limited range 16–235/240, as ffmpeg's default rgb24 → yuv420p):
 * Y full size, then Cb and Cr at ⌈w/2⌉×⌈h/2⌉, each the mean of its 2×2 block. Returns one buffer Y‖Cb‖Cr.
 */
export function rgbToYuv420p(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const out = new Uint8Array(width * height + 2 * cw * ch);
  const cbSum = new Float64Array(cw * ch);
  const crSum = new Float64Array(cw * ch);
  const n = new Uint8Array(cw * ch);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const r = rgb[i]!;
      const g = rgb[i + 1]!;
      const b = rgb[i + 2]!;
      out[y * width + x] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
      const c = (y >> 1) * cw + (x >> 1);
      cbSum[c] += 128 + (-37.797 * r - 74.203 * g + 112 * b) / 255;
      crSum[c] += 128 + (112 * r - 93.786 * g - 18.214 * b) / 255;
      n[c]!++;
    }
  }
  const cb = width * height;
  const cr = cb + cw * ch;
  for (let c = 0; c < cw * ch; c++) {
    out[cb + c] = Math.round(cbSum[c]! / n[c]!);
    out[cr + c] = Math.round(crSum[c]! / n[c]!);
  }
  return out;
}

/** The frame rate as the y4m `F` ratio: integers as `n:1`, others in thousandths. */
function fpsRatio(fps: number): string {
  return Number.isInteger(fps) ? `${fps}:1` : `${Math.round(fps * 1000)}:1000`;
}

/** Writes a YUV4MPEG2 (y4m) file, 4:2:0 — what Chromium's fake camera plays (`--use-file-for-fake-video-capture`). */
export class Y4mWriter {
  private constructor(
    private readonly fh: FileHandle,
    readonly width: number,
    readonly height: number,
  ) {}

  /** Creates `file` (overwriting) and writes the stream header. */
  static async open(file: string, width: number, height: number, fps: number): Promise<Y4mWriter> {
    checkRange('y4m width', width, 1, 16384);
    checkRange('y4m height', height, 1, 16384);
    checkRange('y4m fps', fps, 1e-3, 1000);
    const fh = await open(file, 'w');
    await fh.write(`YUV4MPEG2 W${width} H${height} F${fpsRatio(fps)} Ip A1:1 C420jpeg XYSCSS=420JPEG\n`);
    return new Y4mWriter(fh, width, height);
  }

  /** Appends one RGB24 frame. */
  async write(rgb: Uint8Array): Promise<void> {
    if (rgb.length !== this.width * this.height * 3) {
      throw new VigilUserError(`y4m frame has ${rgb.length} bytes, expected ${this.width}x${this.height}x3`);
    }
    await this.fh.write('FRAME\n');
    await this.fh.write(rgbToYuv420p(rgb, this.width, this.height));
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
