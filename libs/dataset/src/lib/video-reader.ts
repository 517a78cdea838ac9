import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { VigilUserError, checkRange } from '@vigil/core';
import { findFfmpeg } from './ffmpeg.js';

/** One video frame: `data` is RGB24, row-major, `height·width·3` bytes; `t` its presentation time in seconds. */
export interface RgbFrame {
  index: number;
  t: number;
  width: number;
  height: number;
  data: Uint8Array;
  /** The stream's nominal frame rate as ffmpeg reports it (after `fps`), when it does. */
  rate?: number;
}

/** Options of {@link readVideoFrames}. */
export interface ReadVideoOptions {
  /** Resample to this frame rate (ffmpeg's fps filter: frames at k/fps); default: every frame at its own time. */
  fps?: number;
}

/** Size of the decoded stream as ffmpeg reports its output (after rotation and filters). */
const OUTPUT_STREAM = /Stream #\d+:\d+.*: Video: rawvideo.*?, (\d+)x(\d+)/;
const STREAM_FPS = /, ([0-9.]+) fps\b/;
/** showinfo's line for each frame leaving the filter graph. */
const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:\s*(-?[0-9.eE+-]+)/;

/**
 * Decodes the first video stream of `file` with ffmpeg (rawvideo rgb24 on a pipe) and yields its frames in order with
 * their timestamps (from ffmpeg's showinfo filter, so variable frame rates keep their real times). Frames are never
 * duplicated or dropped unless `fps` asks for resampling. Breaking out of the loop stops ffmpeg.
 * A missing file, a file ffmpeg cannot decode or a missing ffmpeg is a {@link VigilUserError}.
 */
export async function* readVideoFrames(file: string, options: ReadVideoOptions = {}): AsyncGenerator<RgbFrame> {
  if (options.fps !== undefined) checkRange('video fps', options.fps, 1e-3, 1000);
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new VigilUserError(`${file}: no such video file`, file);
  const ffmpeg = findFfmpeg().path;
  const filters = [...(options.fps !== undefined ? [`fps=${options.fps}`] : []), 'showinfo'].join(',');
  const proc = spawn(
    ffmpeg,
    ['-hide_banner', '-nostats', '-nostdin', '-i', file, '-map', '0:v:0', '-vf', filters, '-vsync', 'passthrough',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // stderr: the output stream's size, then one showinfo line per frame. Consumers wait on `changed`.
  let size: { width: number; height: number; rate?: number } | undefined;
  const times: number[] = [];
  let stderrTail: string[] = [];
  let stderrDone = false;
  let wake: (() => void) | undefined;
  let changed = new Promise<void>((r) => (wake = r));
  const notify = () => {
    wake?.();
    changed = new Promise<void>((r) => (wake = r));
  };
  let pending = '';
  let inOutput = false;
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk: string) => {
    const lines = (pending + chunk).split(/\r?\n/);
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('Output #0')) inOutput = true;
      const m = inOutput && !size ? OUTPUT_STREAM.exec(line) : null;
      const rate = m ? STREAM_FPS.exec(line) : null;
      if (m) size = { width: Number(m[1]), height: Number(m[2]), ...(rate ? { rate: Number(rate[1]) } : {}) };
      const s = SHOWINFO.exec(line);
      if (s && line.includes('showinfo')) times[Number(s[1])] = Number(s[3]);
      else if (line.trim()) stderrTail = [...stderrTail.slice(-4), line.trim()];
    }
    notify();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    proc.on('error', (e) => reject(new VigilUserError(`${file}: could not run ffmpeg (${ffmpeg}): ${e.message}`, file)));
    proc.on('close', (code) => resolve(code));
  });
  exited.catch(() => undefined); // awaited below; this only keeps an early break from leaving it unhandled
  proc.stderr.on('end', () => {
    stderrDone = true;
    notify();
  });
  const fail = (why: string) =>
    new VigilUserError(`${file}: ffmpeg could not decode it (${why}): ${stderrTail.at(-1) ?? 'no message'}`, file);

  let buf: Buffer = Buffer.alloc(0);
  let index = 0;
  let finished = false;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      while (!size && !stderrDone) await changed;
      if (!size) throw fail('no video stream size reported');
      const frameBytes = size.width * size.height * 3;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= frameBytes) {
        while (times[index] === undefined && !stderrDone) await changed;
        const t = times[index];
        if (t === undefined) throw fail(`no timestamp for frame ${index}`);
        const data = new Uint8Array(buf.subarray(0, frameBytes));
        yield { index, t, width: size.width, height: size.height, data, ...(size.rate ? { rate: size.rate } : {}) };
        index++;
        buf = buf.subarray(frameBytes);
      }
    }
    const code = await exited;
    finished = true;
    if (code !== 0) throw fail(`exit code ${code}`);
    if (buf.length > 0) throw fail(`${buf.length} trailing bytes after frame ${index}`);
  } finally {
    if (!finished) proc.kill('SIGKILL');
  }
}
