import { spawn } from 'node:child_process';
import { VigilUserError, checkRange } from '@vigil/core';
import { findFfmpeg } from './ffmpeg.js';

/** Options of {@link openVideoWriter}. */
export interface VideoWriterOptions {
  width: number;
  height: number;
  fps: number;
  /**
   * Lossless RGB H.264 (libx264rgb, qp 0): decodes back to the same pixels; for tests and ground truth. Default false:
   * H.264 yuv420p at `crf`, the form every player reads (width and height must be even).
   */
  lossless?: boolean;
  /** x264 constant rate factor for the lossy form (0–51, default 18: visually lossless). */
  crf?: number;
}

/** Encodes RGB24 frames into a video file; frames are written in order at a constant rate. */
export interface VideoWriter {
  /** Adds one frame (`height·width·3` bytes RGB24); resolves when ffmpeg has taken it. */
  write(rgb: Uint8Array): Promise<void>;
  /** Finishes the file; throws a {@link VigilUserError} with ffmpeg's message if encoding failed. */
  close(): Promise<void>;
}

/** Opens an ffmpeg encoder writing `file` (container from its extension, e.g. .mp4); overwrites an existing file. */
export function openVideoWriter(file: string, options: VideoWriterOptions): VideoWriter {
  const { width, height, fps } = options;
  const lossless = options.lossless ?? false;
  const crf = options.crf ?? 18;
  checkRange('video width', width, 1, 16384);
  checkRange('video height', height, 1, 16384);
  checkRange('video fps', fps, 1e-3, 1000);
  checkRange('video crf', crf, 0, 51);
  if (!lossless && (width % 2 !== 0 || height % 2 !== 0)) {
    throw new VigilUserError(`${file}: H.264 yuv420p needs an even frame size, got ${width}x${height}`, file);
  }
  const codec = lossless
    ? ['-c:v', 'libx264rgb', '-qp', '0', '-preset', 'veryfast']
    : ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', String(crf), '-preset', 'medium', '-movflags', '+faststart'];
  const ffmpeg = findFfmpeg().path;
  const proc = spawn(
    ffmpeg,
    ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`,
      '-r', String(fps), '-i', 'pipe:0', ...codec, file],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    proc.on('error', (e) => reject(new VigilUserError(`${file}: could not run ffmpeg (${ffmpeg}): ${e.message}`, file)));
    proc.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined); // awaited in close(); this only keeps an unclosed writer from leaving it unhandled
  // A write to a pipe whose reader died reports EPIPE: the real reason is in ffmpeg's exit, reported by close().
  proc.stdin.on('error', () => undefined);
  const frameBytes = width * height * 3;
  let count = 0;
  const failure = (code: number | null) =>
    new VigilUserError(`${file}: ffmpeg could not encode the video (exit ${code}): ${stderr.trim().split('\n').at(-1) ?? ''}`, file);
  return {
    async write(rgb: Uint8Array): Promise<void> {
      if (rgb.length !== frameBytes) {
        throw new VigilUserError(`${file}: frame ${count} has ${rgb.length} bytes, expected ${width}x${height}x3 = ${frameBytes}`, file);
      }
      count++;
      if (proc.exitCode !== null) throw failure(proc.exitCode);
      if (!proc.stdin.write(rgb)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            proc.stdin.off('drain', done).off('close', done);
            resolve();
          };
          proc.stdin.on('drain', done).on('close', done);
        });
      }
    },
    async close(): Promise<void> {
      proc.stdin.end();
      const code = await exited;
      if (code !== 0) throw failure(code);
    },
  };
}
