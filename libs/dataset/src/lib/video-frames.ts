import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { type ReadVideoOptions, readVideoFrames } from './video-reader.js';

/**
 * The name of a video's frame as an image: `<video stem>_<frame index, 6 digits, from 0>.<ext>` — what
 * {@link saveVideoFrames} writes and what `vigil-predict --source video.mp4` calls each frame's record (with .jpg,
 * the competition's rule for any image).
 */
export function videoFrameName(video: string, index: number, ext = 'jpg'): string {
  return `${basename(video, extname(video))}_${String(index).padStart(6, '0')}.${ext}`;
}

/** Decodes a video ({@link readVideoFrames}) into lossless PNG files `<dir>/<video stem>_000000.png`, …; returns how many. */
export async function saveVideoFrames(video: string, dir: string, options: ReadVideoOptions = {}): Promise<number> {
  await mkdir(dir, { recursive: true });
  let n = 0;
  for await (const f of readVideoFrames(video, options)) {
    await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } }).png().toFile(join(dir, videoFrameName(video, f.index, 'png')));
    n++;
  }
  return n;
}
