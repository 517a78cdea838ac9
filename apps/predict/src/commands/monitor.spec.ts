import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES } from '@vigil/core';
import type { Detections } from '@vigil/core';
import { SYNTH_CLIP_SCRIPT, buildSynthClipScene, readVideoFrames, synthClipStateAt, writeSynthClip } from '@vigil/dataset';
import { monitorSequence } from '@vigil/monitor';
import type { MonitorEvent } from '@vigil/monitor';
import { loadModels } from '../predict/models.js';
import { detectFrame } from './monitor.js';
import { eventsCsv, formatMonitorSummary, matchTruth, unionSeconds } from './monitor-report.js';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const fx = fileURLToPath(new URL('../predict/fixtures/', import.meta.url));

describe('monitor on the synthetic clip', () => {
  it.each([10, 30])('the clip\'s ground-truth boxes at %i fps through the monitor give exactly the scripted timeline', (fps) => {
    // The monitor fed with perfect detections (the clip's labels) must find the clip's events: this ties the two
    // vocabularies (dataset's ground truth, monitor's events) together without dataset importing the monitor.
    const frames = Array.from({ length: SYNTH_CLIP_SCRIPT.duration * fps }, (_, i) => {
      const t = i / fps;
      const objects = buildSynthClipScene(0, synthClipStateAt(SYNTH_CLIP_SCRIPT, t), 320, 240).objects;
      const detections: Detections = {
        count: objects.length,
        boxes: Float32Array.from(objects.flatMap((o) => o.position)),
        scores: new Float32Array(objects.length).fill(0.9),
        classes: Int32Array.from(objects.map((o) => CLASS_NAMES.indexOf(o.class))),
      };
      return { t, detections };
    });
    const { events } = monitorSequence(frames);
    expect(events.map(({ t0, t1, kind }) => ({ t0, t1, kind }))).toEqual(SYNTH_CLIP_SCRIPT.events);
    expect(matchTruth(SYNTH_CLIP_SCRIPT.events, events, 1e-9).every((m) => m.ok)).toBe(true);
  });
});

describe('detectFrame', () => {
  it('maps boxes back to frame pixels and leaves no tensor behind', async () => {
    await tf.setBackend('cpu');
    const loaded = loadModels([join(fx, 'model-a.pt')]);
    try {
      const rgb = new Uint8Array(100 * 60 * 3).fill(90);
      const before = tf.memory().numTensors;
      const det = detectFrame(loaded.models[0]!, rgb, 100, 60, { imgSize: 64, confThres: 0.001, iouThres: 0.45 });
      expect(tf.memory().numTensors).toBe(before);
      expect(det.count).toBeGreaterThan(0);
      for (let i = 0; i < det.count; i++) {
        const [x1, y1, x2, y2] = det.boxes.subarray(4 * i, 4 * i + 4);
        expect(x1! >= 0 && y1! >= 0 && x2! <= 100 && y2! <= 60).toBe(true);
      }
    } finally {
      loaded.dispose();
    }
  });
});

describe('monitor report', () => {
  const ev = (kind: MonitorEvent['kind'], t0: number, t1: number): MonitorEvent => ({ kind, t0, t1, peak: 0.5 });
  it('sums overlapping events once and writes CSV', () => {
    expect(unionSeconds([ev('phone', 1, 3), ev('face_absent', 2, 5), ev('cigar', 7, 8)])).toBe(5);
    expect(unionSeconds([])).toBe(0);
    expect(eventsCsv([ev('blink', 1, 1.25)])).toBe('kind,t0,t1,duration,peak\nblink,1.000,1.250,0.250,0.5000\n');
    const table = formatMonitorSummary([ev('eyes_closed', 1, 3), ev('drowsy', 2, 6), ev('phone', 10, 12)], 20);
    expect(table).toContain('drowsy (drowsy, eyes_closed): 5.0 s (25.0 % of 20.0 s)');
    expect(table).toMatch(/^phone\s+1\s+2\.0$/m);
  });

  it('matches truth events by kind and overlap, within the tolerance', () => {
    const m = matchTruth(
      [{ t0: 1, t1: 2, kind: 'blink' }, { t0: 5, t1: 8, kind: 'yawn' }, { t0: 9, t1: 10, kind: 'phone' }],
      [ev('blink', 1.2, 2.3), ev('yawn', 5.6, 8), ev('blink', 9, 10)],
      0.5,
    );
    expect(m.map((x) => x.ok)).toEqual([true, false, false]);
    expect(m[2]!.found).toBeUndefined();
  });
});

describe('vigil-predict monitor', () => {
  it('decodes a clip, detects, and writes the timeline, CSVs and the comparison', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil monitor '));
    const clip = await writeSynthClip(join(dir, 'clip'), {
      width: 96,
      height: 64,
      fps: 5,
      frames: 'none',
      y4m: false,
      script: { duration: 2, events: [{ t0: 0.4, t1: 0.8, kind: 'blink' }] },
    });
    const r = spawnSync(
      process.execPath,
      ['--conditions=@vigil/source', '--import', 'tsx', main, 'monitor', '--source', clip.files.mp4!, '--weights', join(fx, 'model-a.pt'),
        '--img-size', '64', '--truth', clip.files.events, '--project', dir, '--name', 'run', '--no-progress', '--save-video'],
      { encoding: 'utf8', env: { ...process.env, VIGIL_BACKEND: 'cpu' } },
    );
    expect(r.stderr).not.toMatch(/\s+at /);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^kind\s+events\s+total s$/m);
    expect(r.stdout).toMatch(/truth events found with start and end within 0.5 s/);
    expect(r.stdout).toMatch(/^10 frames; results in /m);
    const det = JSON.parse(readFileSync(join(dir, 'run', 'detections.json'), 'utf8'));
    expect(det.frames.map((f: { t: number }) => f.t)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8]);
    const events = JSON.parse(readFileSync(join(dir, 'run', 'events.json'), 'utf8'));
    expect(Array.isArray(events.events)).toBe(true);
    expect(readFileSync(join(dir, 'run', 'events.csv'), 'utf8')).toMatch(/^kind,t0,t1,duration,peak\n/);
    expect(readFileSync(join(dir, 'run', 'states.csv'), 'utf8').split('\n')).toHaveLength(12);
    const annotated = [];
    for await (const f of readVideoFrames(join(dir, 'run', 'annotated.mp4'))) annotated.push(f);
    expect(annotated.map((f) => [f.width, f.height])).toEqual(Array(10).fill([96, 64]));
  });

  it('a missing video is one line, exit code 2', () => {
    const r = spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, 'monitor', '--source', 'nope.mp4', '--weights', 'x.pt'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('vigil-predict: --source nope.mp4: no such video file');
  });
});
