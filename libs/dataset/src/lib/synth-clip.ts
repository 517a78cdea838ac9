import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng, VigilUserError, checkRange } from '@vigil/core';
import { buildSynthScene, SYNTH_PRIORS } from './synth-scene.js';
import type { SynthObject, SynthScene, SynthSection } from './synth-scene.js';
import { rasterizeSynthScene } from './synth-generate.js';
import { findFfmpeg } from './ffmpeg.js';
import { openVideoWriter } from './video-writer.js';
import { Y4mWriter } from './y4m.js';
import type { ProgressCallback } from './progress.js';

/**
 * What the scripted driver does over [t0, t1) seconds. The kinds are the driver monitor's event names: `blink` and
 * `eyes_closed` close both eyes, `yawn` opens the mouth, `phone` holds a phone at the ear.
 */
export interface SynthClipEvent {
  t0: number;
  t1: number;
  kind: 'blink' | 'eyes_closed' | 'yawn' | 'phone';
}

/** A driving clip's script: its length and the events (at most one eye event and one mouth event at a time). */
export interface SynthClipScript {
  duration: number;
  events: SynthClipEvent[];
}

/**
 * The default 30 s clip: blinks (0.2–0.3 s, the length of real ones), a 4 s yawn, a 3 s eye closure, a 5 s phone
 * call. Times sit on a 0.1 s grid so every frame rate that divides it sees the same state changes.
 */
export const SYNTH_CLIP_SCRIPT: SynthClipScript = {
  duration: 30,
  events: [
    { t0: 2, t1: 2.3, kind: 'blink' },
    { t0: 5, t1: 5.2, kind: 'blink' },
    { t0: 7, t1: 11, kind: 'yawn' },
    { t0: 12.5, t1: 12.8, kind: 'blink' },
    { t0: 14, t1: 17, kind: 'eyes_closed' },
    { t0: 19, t1: 24, kind: 'phone' },
    { t0: 26, t1: 26.3, kind: 'blink' },
  ],
};

/** Options of {@link renderSynthClip} / {@link writeSynthClip}. */
export interface SynthClipOptions {
  /** Chooses the driver, the cabin and the lighting (default 0). */
  seed?: number;
  fps?: number;
  width?: number;
  height?: number;
  script?: SynthClipScript;
  onProgress?: ProgressCallback;
}

/** The driver's state at time t. */
export interface SynthClipState {
  eyesClosed: boolean;
  mouthOpen: boolean;
  phone: boolean;
}

/** One rendered frame: time, RGB24 pixels and the labelled objects (boxes xyxy in pixels). */
export interface SynthClipFrame {
  index: number;
  t: number;
  width: number;
  height: number;
  rgb: Uint8Array;
  objects: SynthObject[];
}

const EYE_KINDS = new Set(['blink', 'eyes_closed']);

/** Checks a script: times inside the clip, t0 < t1, no two eye (or mouth, or phone) events overlapping. */
export function checkSynthClipScript(script: SynthClipScript): void {
  checkRange('clip duration (seconds)', script.duration, 0.001, 3600);
  const channel = (k: string) => (EYE_KINDS.has(k) ? 'eyes' : k);
  const sorted = [...script.events].sort((a, b) => a.t0 - b.t0);
  const lastEnd = new Map<string, number>();
  for (const e of sorted) {
    if (!['blink', 'eyes_closed', 'yawn', 'phone'].includes(e.kind)) throw new VigilUserError(`clip script: unknown event kind '${e.kind}'`);
    if (!(e.t0 >= 0 && e.t1 > e.t0 && e.t1 <= script.duration)) {
      throw new VigilUserError(`clip script: ${e.kind} [${e.t0}, ${e.t1}] must satisfy 0 ≤ t0 < t1 ≤ duration ${script.duration}`);
    }
    const c = channel(e.kind);
    if ((lastEnd.get(c) ?? -Infinity) > e.t0) throw new VigilUserError(`clip script: ${e.kind} at ${e.t0} s overlaps another ${c} event`);
    lastEnd.set(c, e.t1);
  }
}

/** The scripted state at time t (events cover [t0, t1)). */
export function synthClipStateAt(script: SynthClipScript, t: number): SynthClipState {
  const on = (pred: (k: string) => boolean) => script.events.some((e) => pred(e.kind) && t >= e.t0 && t < e.t1);
  return { eyesClosed: on((k) => EYE_KINDS.has(k)), mouthOpen: on((k) => k === 'yawn'), phone: on((k) => k === 'phone') };
}

/** A 32-bit seed per (clip seed, section): each scene section draws from its own stream, the same in every frame. */
function sectionSeed(seed: number, section: string): number {
  let h = (0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < section.length; i++) h = Math.imul(h ^ section.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The scene of frame `index`: the synthetic data set's renderer ({@link buildSynthScene}) with the driver fixed by
 * `seed` (each scene section reseeded from (seed, section), so eyes, mouth and phone look the same whenever they are
 * in the same state) and the states forced by the script through the priors (probability 0 or 1; mouth always
 * visible, no mask, no cigar).
 */
export function buildSynthClipScene(seed: number, state: SynthClipState, width: number, height: number): SynthScene {
  const rng = new Rng(sectionSeed(seed, 'scene'));
  const priors = {
    ...SYNTH_PRIORS,
    eyesClosed: state.eyesClosed ? 1 : 0,
    oneEyeClosed: 0,
    mouthVisible: 1,
    mouthOpen: state.mouthOpen ? 1 : 0,
    phone: state.phone ? 1 : 0,
    cigar: 0,
  };
  const reseed = (section: SynthSection) => rng.setState(new Rng(sectionSeed(seed, section)).getState());
  return buildSynthScene(rng, width, height, priors, reseed);
}

function resolveClip(o: SynthClipOptions) {
  const c = { seed: o.seed ?? 0, fps: o.fps ?? 10, width: o.width ?? 640, height: o.height ?? 480, script: o.script ?? SYNTH_CLIP_SCRIPT };
  checkRange('clip fps', c.fps, 1, 240);
  checkRange('clip width', c.width, 64, 4096);
  checkRange('clip height', c.height, 64, 4096);
  if (!Number.isInteger(c.seed)) throw new VigilUserError(`clip seed must be an integer, got ${c.seed}`);
  if (c.width % 2 !== 0 || c.height % 2 !== 0) throw new VigilUserError(`clip size must be even (4:2:0 video), got ${c.width}x${c.height}`);
  checkSynthClipScript(c.script);
  return c;
}

/** Frames k/fps for k/fps < duration, rendered in order. Deterministic given the options (per-frame sensor noise too). */
export async function* renderSynthClip(options: SynthClipOptions = {}): AsyncGenerator<SynthClipFrame> {
  const c = resolveClip(options);
  const count = Math.ceil(c.script.duration * c.fps - 1e-9);
  for (let index = 0; index < count; index++) {
    const t = index / c.fps;
    const scene = buildSynthClipScene(c.seed, synthClipStateAt(c.script, t), c.width, c.height);
    const gray = await rasterizeSynthScene(scene, new Rng(sectionSeed(c.seed, `noise-${index}`)));
    const rgb = new Uint8Array(gray.width * gray.height * 3);
    for (let i = 0; i < gray.data.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray.data[i]!;
    options.onProgress?.({ phase: 'clip', done: index + 1, total: count });
    yield { index, t, width: gray.width, height: gray.height, rgb, objects: scene.objects };
  }
}

/** Options of {@link writeSynthClip}: which outputs to write besides the ground truth. */
export interface WriteSynthClipOptions extends SynthClipOptions {
  /** Still frames `frames/frame_000000.png` (or .jpg, quality 95); default 'png'. */
  frames?: 'png' | 'jpg' | 'none';
  /** `clip.y4m` (4:2:0) for Chromium's fake camera; default true. */
  y4m?: boolean;
  /** `clip.mp4` (H.264 via ffmpeg, crf 18); default true. */
  mp4?: boolean;
}

/** What {@link writeSynthClip} wrote. */
export interface SynthClipSummary {
  dir: string;
  fps: number;
  width: number;
  height: number;
  frames: number;
  /** Ground truth in the monitor's vocabulary (`{ t0, t1, kind }`, seconds). */
  events: SynthClipEvent[];
  files: { events: string; labels: string; frames?: string; y4m?: string; mp4?: string };
}

/**
 * Renders the clip into `dir`: `events.json` (the ground-truth timeline), `labels.json` (per frame: file, time,
 * objects — the competition's labels.json layout plus `t`), and the frames as PNG/JPEG, `clip.y4m` and `clip.mp4`.
 * A missing ffmpeg fails before anything is rendered.
 */
export async function writeSynthClip(dir: string, options: WriteSynthClipOptions = {}): Promise<SynthClipSummary> {
  const c = resolveClip(options);
  const framesKind = options.frames ?? 'png';
  if (!['png', 'jpg', 'none'].includes(framesKind)) throw new VigilUserError(`clip frames must be png, jpg or none, got '${framesKind}'`);
  if (options.mp4 ?? true) findFfmpeg();
  await mkdir(dir, { recursive: true });
  const files: SynthClipSummary['files'] = { events: join(dir, 'events.json'), labels: join(dir, 'labels.json') };
  if (framesKind !== 'none') {
    files.frames = join(dir, 'frames');
    await rm(files.frames, { recursive: true, force: true });
    await mkdir(files.frames);
  }
  const mp4 = options.mp4 ?? true ? openVideoWriter((files.mp4 = join(dir, 'clip.mp4')), { width: c.width, height: c.height, fps: c.fps }) : undefined;
  const y4m = options.y4m ?? true ? await Y4mWriter.open((files.y4m = join(dir, 'clip.y4m')), c.width, c.height, c.fps) : undefined;
  const annotations: { file_name: string; t: number; objects: SynthObject[] }[] = [];
  for await (const f of renderSynthClip(options)) {
    const name = `frame_${String(f.index).padStart(6, '0')}.${framesKind === 'jpg' ? 'jpg' : 'png'}`;
    if (files.frames) {
      const img = sharp(f.rgb, { raw: { width: f.width, height: f.height, channels: 3 } });
      await writeFile(join(files.frames, name), await (framesKind === 'jpg' ? img.jpeg({ quality: 95 }) : img.png()).toBuffer());
    }
    await y4m?.write(f.rgb);
    await mp4?.write(f.rgb);
    annotations.push({ file_name: name, t: f.t, objects: f.objects });
  }
  await y4m?.close();
  await mp4?.close();
  const events = [...c.script.events].sort((a, b) => a.t0 - b.t0);
  await writeFile(files.events, JSON.stringify({ fps: c.fps, duration: c.script.duration, events }, null, 2) + '\n');
  await writeFile(files.labels, JSON.stringify({ fps: c.fps, annotations }) + '\n');
  return { dir, fps: c.fps, width: c.width, height: c.height, frames: annotations.length, events, files };
}
