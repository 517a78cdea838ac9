import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { VigilUserError } from '@vigil/core';
import type { Detections, ImageU8 } from '@vigil/core';
import { drawDetectionsRgb, letterbox, openVideoWriter, readVideoFrames, resizeLongSide } from '@vigil/dataset';
import type { VideoWriter } from '@vigil/dataset';
import { DriverMonitor } from '@vigil/monitor';
import type { MonitorEvent, MonitorOptions, MonitorState } from '@vigil/monitor';
import { detectImage } from '@vigil/yolov5';
import type { YoloModel } from '@vigil/yolov5';
import { BACKEND_HELP, initBackend } from '@vigil/runtime';
import { loadModels } from '../predict/models.js';
import { newestRunWeights, SYNTHETIC_IMG_SIZE, TRAIN_RUNS } from '../predict/options.js';
import { eventsCsv, formatMonitorSummary, formatTruthMatches, matchTruth, statesCsv } from './monitor-report.js';
import type { TruthEvent } from './monitor-report.js';

/**
 * Detections on one RGB frame as detect.py does for an image: long side to `imgSize` (INTER_AREA when shrinking,
 * bilinear when enlarging, as the loader), minimal letterbox to the model's stride, NMS, boxes back to frame pixels.
 * (The detection wiring will move to @vigil/detector; this stays a thin call.)
 */
export function detectFrame(model: YoloModel, rgb: Uint8Array, width: number, height: number, o: { imgSize: number; confThres: number; iouThres: number }): Detections {
  const image: ImageU8 = { data: rgb, width, height, channels: 3 };
  const input = letterbox(resizeLongSide(image, o.imgSize), o.imgSize, { stride: Math.max(...model.strides) }).image;
  return detectImage(model, input, { confThres: o.confThres, iouThres: o.iouThres, originalShape: [height, width] });
}

function num(flag: string, v: string, min: number, max: number): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max) throw new VigilUserError(`${flag} ${v}: expected a number in [${min}, ${max}]`);
  return x;
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new VigilUserError(`${file}: cannot read the ${what}`, file);
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VigilUserError(`${file}: the ${what} is not JSON (${(e as Error).message})`, file);
  }
}

/** Reads a ground-truth timeline: `{ events: [{ t0, t1, kind }] }` or a bare array. */
async function readTruth(file: string): Promise<TruthEvent[]> {
  const j = await readJson(file, 'ground-truth timeline');
  const events = Array.isArray(j) ? j : (j as { events?: unknown }).events;
  const ok = (e: unknown): e is TruthEvent =>
    typeof e === 'object' && e !== null && typeof (e as TruthEvent).t0 === 'number' && typeof (e as TruthEvent).t1 === 'number' && typeof (e as TruthEvent).kind === 'string';
  if (!Array.isArray(events) || !events.every(ok)) throw new VigilUserError(`${file}: expected { "events": [{ "t0", "t1", "kind" }, …] }`, file);
  return events;
}

/** Progress on stderr: frames, video time and processing fps (in place on a terminal, every 10 s otherwise). */
function progressLine(enabled: boolean) {
  const t0 = performance.now();
  let last = -Infinity;
  return (frames: number, videoT: number, done = false) => {
    if (!enabled) return;
    const now = performance.now();
    const tty = process.stderr.isTTY;
    if (!done && now - last < (tty ? 250 : 10_000)) return;
    last = now;
    const fps = frames / Math.max(1e-9, (now - t0) / 1000);
    const line = `monitor: ${frames} frames, ${videoT.toFixed(1)} s of video, ${fps.toFixed(2)} fps`;
    process.stderr.write(tty ? `\r${line}${done ? '\n' : ''}` : `${line}\n`);
  };
}

interface MonitorCommandOptions {
  source: string;
  weights?: string;
  imgSize: string;
  confThres: string;
  iouThres: string;
  fps?: string;
  config?: string;
  truth?: string;
  tolerance: string;
  project: string;
  name: string;
  progress: boolean;
  backend?: string;
  saveVideo?: boolean;
}

/** The caption of an annotated frame: the alerts on, PERCLOS and the current closure. */
function alertCaption(s: MonitorState): string | undefined {
  if (s.active.length === 0) return undefined;
  const perclos = s.perclos === null ? '' : ` · PERCLOS ${s.perclos.toFixed(2)}`;
  const closure = s.closure > 0 ? ` · eyes closed ${s.closure.toFixed(1)} s` : '';
  return `ALERT ${s.active.map((a) => a.kind).join(', ')}${perclos}${closure}`;
}

/**
 * `vigil-predict monitor --source drive.mp4 [--weights w.vckpt]`: decodes the video (ffmpeg), detects on every frame,
 * runs the driver monitor and writes `detections.json`, `events.json`, `events.csv` and `states.csv` into
 * `<project>/<name>/`; prints the summary table and, with `--truth`, the comparison with a ground-truth timeline.
 */
export function monitorCommand(): Command {
  return new Command('monitor')
    .description('driver monitoring on a video: per-frame detections → PERCLOS, blinks, eye closures, yawns, phone, face absent → event timeline')
    .requiredOption('--source <video>', 'video file (anything ffmpeg reads: mp4, y4m, …)')
    .option('--weights <file>', `checkpoint (.vckpt or YOLOv5 .pt); default: the last stage's weights of the newest finished training run under ${TRAIN_RUNS}/ (npm run demo)`)
    .option('--img-size <px>', 'inference size in pixels', String(SYNTHETIC_IMG_SIZE))
    .option('--conf-thres <x>', 'detection confidence threshold', '0.25')
    .option('--iou-thres <x>', 'NMS IoU threshold', '0.45')
    .option('--fps <n>', 'resample the video to this frame rate before detection (default: every frame)')
    .option('--config <monitor.json>', 'monitor options (JSON: any part of MonitorConfig, e.g. {"perclos":{"window":30}})')
    .option('--truth <events.json>', 'compare with a ground-truth timeline ({ events: [{ t0, t1, kind }] }, e.g. a synthetic clip\'s)')
    .option('--tolerance <s>', 'with --truth: how far start and end may be off', '0.5')
    .option('--project <dir>', 'output folder', 'runs/monitor')
    .option('--name <name>', 'run name: output in <project>/<name>/', 'exp')
    .option('--save-video', 'also write annotated.mp4: boxes and the alerts on each frame')
    .option('--no-progress', 'no progress line')
    .option('--backend <name>', BACKEND_HELP)
    .action(async (opts: MonitorCommandOptions) => {
      const imgSize = num('--img-size', opts.imgSize, 32, 8192);
      const confThres = num('--conf-thres', opts.confThres, 0, 1);
      const iouThres = num('--iou-thres', opts.iouThres, 0, 1);
      const fps = opts.fps === undefined ? undefined : num('--fps', opts.fps, 0.001, 1000);
      const tolerance = num('--tolerance', opts.tolerance, 0, 3600);
      if (!existsSync(opts.source)) throw new VigilUserError(`--source ${opts.source}: no such video file`, opts.source);
      // the last stage's final weights (the fine-tuned model) of the newest finished run, as detect.py takes one model
      const weights = opts.weights ?? newestRunWeights('competition').weights.slice(-1)[0]!;
      const monitorOptions = opts.config ? ((await readJson(opts.config, 'monitor config')) as MonitorOptions) : {};
      const truth = opts.truth ? await readTruth(opts.truth) : undefined;

      await initBackend({ prefer: opts.backend });
      const loaded = loadModels([weights]);
      const model = loaded.models[0]!;
      const monitor = new DriverMonitor({ ...monitorOptions, classNames: monitorOptions.classNames ?? loaded.names });
      const outDir = resolve(opts.project, opts.name);
      await mkdir(outDir, { recursive: true });
      const frames: { index: number; t: number; detections: { class: string; score: number; box: number[] }[] }[] = [];
      const states: MonitorState[] = [];
      const events: MonitorEvent[] = [];
      const progress = progressLine(opts.progress);
      let lastT = 0;
      let video: VideoWriter | undefined;
      try {
        for await (const f of readVideoFrames(opts.source, fps === undefined ? {} : { fps })) {
          const det = detectFrame(model, f.data, f.width, f.height, { imgSize, confThres, iouThres });
          const u = monitor.push({ t: f.t, detections: det });
          states.push(u.state);
          events.push(...u.closed);
          frames.push({
            index: f.index,
            t: f.t,
            detections: Array.from({ length: det.count }, (_, i) => ({
              class: loaded.names[det.classes[i]!] ?? String(det.classes[i]),
              score: Math.round(det.scores[i]! * 1e4) / 1e4,
              box: Array.from(det.boxes.subarray(4 * i, 4 * i + 4), (v) => Math.round(v * 10) / 10),
            })),
          });
          if (opts.saveVideo) {
            video ??= openVideoWriter(join(outDir, 'annotated.mp4'), { width: f.width, height: f.height, fps: fps ?? f.rate ?? 25 });
            const boxes = Array.from({ length: det.count }, (_, i) => ({
              box: Array.from(det.boxes.subarray(4 * i, 4 * i + 4)) as [number, number, number, number],
              cls: det.classes[i]!,
              conf: det.scores[i]!,
            }));
            const caption = alertCaption(u.state);
            await video.write(await drawDetectionsRgb(f.data, f.width, f.height, boxes, { names: loaded.names, ...(caption ? { caption } : {}) }));
          }
          lastT = f.t;
          progress(frames.length, f.t);
        }
        await video?.close();
      } finally {
        loaded.dispose();
      }
      if (frames.length === 0) throw new VigilUserError(`--source ${opts.source}: the video has no frames`, opts.source);
      progress(frames.length, lastT, true);
      events.push(...monitor.finish());
      events.sort((a, b) => a.t0 - b.t0);
      const seconds = lastT - frames[0]!.t;
      await writeFile(join(outDir, 'detections.json'), JSON.stringify({ source: opts.source, weights, names: loaded.names, imgSize, confThres, frames }) + '\n');
      await writeFile(join(outDir, 'events.json'), JSON.stringify({ source: opts.source, config: monitor.config, events }, null, 2) + '\n');
      await writeFile(join(outDir, 'events.csv'), eventsCsv(events));
      await writeFile(join(outDir, 'states.csv'), statesCsv(states));
      console.log(formatMonitorSummary(events, seconds));
      if (truth) console.log(formatTruthMatches(matchTruth(truth, events, tolerance), tolerance));
      console.log(`${frames.length} frames; results in ${outDir}`);
    });
}
