import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VigilUserError } from '@vigil/core';
import { findFfmpeg, resetFfmpegCache } from './ffmpeg.js';
import { readVideoFrames } from './video-reader.js';
import type { RgbFrame } from './video-reader.js';
import { openVideoWriter } from './video-writer.js';
import { Y4mWriter, rgbToYuv420p } from './y4m.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil video '));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => resetFfmpegCache());

const W = 96;
const H = 64;

/** A moving colour pattern: every frame differs, every channel varies. */
function pattern(i: number): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 3;
      rgb[p] = (x * 2 + i * 9) & 255;
      rgb[p + 1] = (y * 3 + i * 5) & 255;
      rgb[p + 2] = ((x + y) * 2 + 40 * (((x >> 3) + (y >> 3) + i) & 1)) & 255;
    }
  }
  return rgb;
}

async function collect(it: AsyncIterable<RgbFrame>): Promise<RgbFrame[]> {
  const out: RgbFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

async function writeClip(file: string, n: number, fps: number, lossless: boolean): Promise<void> {
  const w = openVideoWriter(file, { width: W, height: H, fps, lossless });
  for (let i = 0; i < n; i++) await w.write(pattern(i));
  await w.close();
}

describe('video writer and reader (ffmpeg)', () => {
  it('round-trips frames losslessly with their count and timestamps', async () => {
    const file = join(dir, 'lossless.mp4');
    await writeClip(file, 12, 10, true);
    const frames = await collect(readVideoFrames(file));
    expect(frames).toHaveLength(12);
    frames.forEach((f, i) => {
      expect([f.index, f.width, f.height, f.rate]).toEqual([i, W, H, 10]);
      expect(f.t).toBeCloseTo(i / 10, 6);
      expect(maxDiff(f.data, pattern(i))).toBe(0);
    });
  });

  it('round-trips H.264 yuv420p within codec tolerance, and resamples with fps', async () => {
    const file = join(dir, 'lossy.mp4');
    await writeClip(file, 10, 10, false);
    const frames = await collect(readVideoFrames(file));
    expect(frames.map((f) => Math.round(f.t * 1000))).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    for (const f of frames) expect(meanDiff(f.data, pattern(f.index))).toBeLessThan(4);
    const half = await collect(readVideoFrames(file, { fps: 5 }));
    expect(half.map((f) => Math.round(f.t * 1000))).toEqual([0, 200, 400, 600, 800]);
    expect(half[0]!.rate).toBe(5);
    expect(meanDiff(half[2]!.data, pattern(4))).toBeLessThan(4);
  });

  it('stops ffmpeg when the consumer breaks out early', async () => {
    const file = join(dir, 'early.mp4');
    await writeClip(file, 8, 25, true);
    let n = 0;
    for await (const f of readVideoFrames(file)) {
      n++;
      if (f.index === 1) break;
    }
    expect(n).toBe(2);
  });

  it('writes y4m that ffmpeg decodes to the same pixels (BT.601 limited range, 4:2:0)', async () => {
    // Reference values of the conversion: grey, white, pure red.
    const px = (r: number, g: number, b: number) => rgbToYuv420p(Uint8Array.from([r, g, b, r, g, b, r, g, b, r, g, b]), 2, 2);
    expect([...px(128, 128, 128)]).toEqual([126, 126, 126, 126, 128, 128]);
    expect([...px(255, 255, 255)]).toEqual([235, 235, 235, 235, 128, 128]);
    expect([...px(255, 0, 0)]).toEqual([81, 81, 81, 81, 90, 240]);
    const file = join(dir, 'clip.y4m');
    const y4m = await Y4mWriter.open(file, W, H, 10);
    const grey = (i: number) => {
      const g = pattern(i);
      for (let p = 0; p < g.length; p += 3) g[p] = g[p + 1] = g[p + 2] = g[p]!;
      return g;
    };
    for (let i = 0; i < 5; i++) await y4m.write(grey(i));
    await y4m.close();
    const frames = await collect(readVideoFrames(file));
    expect(frames.map((f) => Math.round(f.t * 1000))).toEqual([0, 100, 200, 300, 400]);
    // Grey frames have no chroma, so only the Y rounding (±1 level each way) remains.
    for (const f of frames) expect(maxDiff(f.data, grey(f.index))).toBeLessThanOrEqual(2);
  });

  it('reports bad input in one line', async () => {
    await expect(collect(readVideoFrames(join(dir, 'missing.mp4')))).rejects.toThrow(/missing\.mp4: no such video file/);
    const junk = join(dir, 'junk.mp4');
    await writeFile(junk, 'not a video');
    await expect(collect(readVideoFrames(junk))).rejects.toThrow(/junk\.mp4: ffmpeg could not decode it/);
    expect(() => openVideoWriter(join(dir, 'odd.mp4'), { width: 5, height: 4, fps: 10 })).toThrow(/even frame size, got 5x4/);
    const w = openVideoWriter(join(dir, 'short.mp4'), { width: W, height: H, fps: 10 });
    await expect(w.write(new Uint8Array(10))).rejects.toThrow(/frame 0 has 10 bytes, expected 96x64x3 = 18432/);
    await w.close().catch(() => undefined);
  });

  it('finds ffmpeg from VIGIL_FFMPEG, PATH or the npm package, else says how to get it', () => {
    const saved = { path: process.env.PATH, env: process.env.VIGIL_FFMPEG };
    try {
      process.env.VIGIL_FFMPEG = join(dir, 'no-ffmpeg');
      expect(() => findFfmpeg()).toThrow(VigilUserError);
      expect(() => findFfmpeg()).toThrow(/VIGIL_FFMPEG=.*no-ffmpeg is not an executable file/);
      delete process.env.VIGIL_FFMPEG;
      resetFfmpegCache();
      process.env.PATH = dir;
      // Without a system ffmpeg: the optional npm package's binary, when it is installed.
      let packaged: string | undefined;
      try {
        packaged = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
      } catch {
        packaged = undefined;
      }
      if (packaged) expect(findFfmpeg()).toEqual({ path: packaged, source: '@ffmpeg-installer/ffmpeg' });
      else expect(() => findFfmpeg()).toThrow(/ffmpeg not found: install it/);
    } finally {
      process.env.PATH = saved.path;
      if (saved.env === undefined) delete process.env.VIGIL_FFMPEG;
      else process.env.VIGIL_FFMPEG = saved.env;
    }
  });
});
