import { describe, expect, it } from 'vitest';
import { CLASS_NAMES, VigilUserError } from '@vigil/core';
import type { Detections } from '@vigil/core';
import { DriverMonitor, monitorSequence } from './driver-monitor.js';
import type { MonitorFrame } from './driver-monitor.js';
import type { MonitorOptions } from './monitor-config.js';

const id = (name: string) => CLASS_NAMES.indexOf(name as (typeof CLASS_NAMES)[number]);

/** Detections from [class name, score] pairs (boxes are not used by the monitor). */
function dets(list: [string, number][], names: readonly string[] = CLASS_NAMES): Detections {
  return {
    count: list.length,
    boxes: new Float32Array(list.length * 4),
    scores: Float32Array.from(list.map(([, s]) => s)),
    classes: Int32Array.from(list.map(([c]) => names.indexOf(c))),
  };
}

/** What the scripted driver does at time t. */
interface Pose {
  eyes?: 'open' | 'closed' | 'none';
  mouth?: 'open' | 'closed';
  phone?: boolean;
  face?: boolean;
  /** Score of the eye detections (default 0.9; every other detection scores 0.9). */
  eyeScore?: number;
}

/** Frames i/fps for t < duration, skipping `drop(t)`, with detections from `pose(t)`. */
function script(fps: number, duration: number, pose: (t: number) => Pose, drop: (t: number) => boolean = () => false): MonitorFrame[] {
  const frames: MonitorFrame[] = [];
  for (let i = 0; i / fps < duration; i++) {
    const t = i / fps;
    if (drop(t)) continue;
    const p = pose(t);
    const s = 0.9;
    const es = p.eyeScore ?? s;
    const list: [string, number][] = [];
    if (p.face !== false) {
      list.push(['face', s]);
      const eyes = p.eyes ?? 'open';
      if (eyes !== 'none') {
        const name = `eye_${eyes === 'open' ? 'opened' : 'closed'}`;
        list.push([name, es], [name, es - 0.1]);
      }
      list.push([p.mouth === 'open' ? 'mouth_opened' : 'mouth_closed', s]);
    }
    if (p.phone) list.push(['phone', s]);
    frames.push({ t, detections: dets(list) });
  }
  return frames;
}

const within = (t: number, a: number, b: number) => t >= a - 1e-9 && t < b - 1e-9;

/** Blinks at 2.0–2.3 and 8.0–8.2, a 2.5 s closure at 5.0–7.5, a yawn at 10–13, a short mouth opening, a phone call. */
const DAY = (t: number): Pose => ({
  eyes: within(t, 2, 2.3) || within(t, 8, 8.2) || within(t, 5, 7.5) ? 'closed' : 'open',
  mouth: within(t, 10, 13) || within(t, 14, 15) ? 'open' : 'closed',
  phone: within(t, 16, 19),
});

const DAY_EVENTS = [
  { t0: 2, t1: 2.3, kind: 'blink', peak: 0.9 },
  { t0: 5, t1: 7.5, kind: 'eyes_closed', peak: 0.9 },
  { t0: 8, t1: 8.2, kind: 'blink', peak: 0.9 },
  { t0: 10, t1: 13, kind: 'yawn', peak: 0.9 },
  { t0: 16, t1: 19, kind: 'phone', peak: 0.9 },
];

const f32 = Math.fround;
const peak = (events: { peak: number }[]) => events.map((e) => ({ ...e, peak: Math.round(e.peak * 1e4) / 1e4 }));

describe('monitorSequence', () => {
  it('finds scripted blinks, a long closure, a yawn and a phone call; 10 fps and 30 fps give the same events', () => {
    const at10 = monitorSequence(script(10, 20, DAY));
    const at30 = monitorSequence(script(30, 20, DAY));
    expect(peak(at10.events)).toEqual(DAY_EVENTS);
    expect(at30.events).toEqual(at10.events);
    expect(at10.events[0]!.peak).toBe(Math.round(f32(0.9) * 1e6) / 1e6);
  });

  it('suppresses a one-frame flicker inside a closure (bridge), and shows it without the bridge', () => {
    const flicker = (t: number): Pose => ({ eyes: within(t, 2, 5) && !within(t, 3, 3.1) ? 'closed' : 'open' });
    expect(peak(monitorSequence(script(10, 8, flicker)).events)).toEqual([{ t0: 2, t1: 5, kind: 'eyes_closed', peak: 0.9 }]);
    expect(peak(monitorSequence(script(10, 8, flicker), { eyes: { bridge: 0 } }).events)).toEqual([
      { t0: 2, t1: 3, kind: 'eyes_closed', peak: 0.9 },
      { t0: 3.1, t1: 5, kind: 'eyes_closed', peak: 0.9 },
    ]);
    // A phone lost by the detector for half a second stays one call (bridge 1 s); a half-second glimpse is no call.
    const phone = (t: number): Pose => ({ phone: (within(t, 2, 5) && !within(t, 3, 3.5)) || within(t, 7, 7.5) });
    expect(peak(monitorSequence(script(30, 9, phone)).events)).toEqual([{ t0: 2, t1: 5, kind: 'phone', peak: 0.9 }]);
  });

  it('treats a gap longer than maxGap as unknown and holds the state over shorter gaps', () => {
    const closed = (t: number): Pose => ({ eyes: within(t, 2, 6) ? 'closed' : 'open' });
    // One dropped frame (0.2 s gap) changes nothing.
    const one = monitorSequence(script(10, 8, closed, (t) => Math.abs(t - 2.5) < 1e-9));
    expect(peak(one.events)).toEqual([{ t0: 2, t1: 6, kind: 'eyes_closed', peak: 0.9 }]);
    // Frames lost between 3 s and 4 s: the closure is split around the unknown second, at either frame rate.
    const lost = (t: number) => t > 3 + 1e-9 && t < 4 - 1e-9;
    const at10 = monitorSequence(script(10, 8, closed, lost));
    expect(peak(at10.events)).toEqual([
      { t0: 2, t1: 3, kind: 'eyes_closed', peak: 0.9 },
      { t0: 4, t1: 6, kind: 'eyes_closed', peak: 0.9 },
    ]);
    expect(monitorSequence(script(30, 8, closed, lost)).events).toEqual(at10.events);
    // The unknown second is neither closed nor open for PERCLOS: at t = 4 the 4 s window holds 1 s closed of 3 s known.
    const s4 = monitorSequence(script(10, 8, closed, lost), { perclos: { window: 4 } }).states.find((s) => s.t === 4)!;
    expect(s4.perclos).toBeCloseTo(1 / 3, 6);
    // With maxGap above the gap, the second is held from the frame at 3 s: one closure.
    expect(peak(monitorSequence(script(10, 8, closed, lost), { maxGap: 2 }).events)).toEqual([
      { t0: 2, t1: 6, kind: 'eyes_closed', peak: 0.9 },
    ]);
  });

  it('raises drowsy when PERCLOS crosses on, ends it below off, with exact crossing times at any frame rate', () => {
    const opts: MonitorOptions = { perclos: { window: 10, on: 0.15, off: 0.12, minCoverage: 0.5 } };
    const pose = (t: number): Pose => ({ eyes: within(t, 10, 12) ? 'closed' : 'open' });
    const at10 = monitorSequence(script(10, 30, pose), opts);
    // PERCLOS = (t − 10)/10 reaches 0.15 at 11.5 s; stays 0.2 until the closure leaves the window at 20 s, then
    // (2 − (t − 20))/10 drops below 0.12 at 20.8 s.
    expect(peak(at10.events)).toEqual([
      { t0: 10, t1: 12, kind: 'eyes_closed', peak: 0.9 },
      { t0: 11.5, t1: 20.8, kind: 'drowsy', peak: 0.2 },
    ]);
    expect(monitorSequence(script(30, 30, pose), opts).events).toEqual(at10.events);
    expect(monitorSequence(script(7, 30, pose), opts).events.find((e) => e.kind === 'drowsy')).toBeDefined();
    // States: unknown until the window is half covered (5 s), then the share.
    expect(at10.states.find((s) => s.t === 4.9)!.perclos).toBeNull();
    expect(at10.states.find((s) => s.t === 11)!.perclos).toBeCloseTo(0.1, 9);
    expect(at10.states.find((s) => s.t === 15)!.active.map((e) => e.kind)).toEqual(['drowsy']);
  });

  it('ends drowsy when dropped frames leave the window without coverage; peak is the highest PERCLOS', () => {
    const opts: MonitorOptions = { perclos: { window: 10, on: 0.15, off: 0.12, minCoverage: 0.5 } };
    const pose = (t: number): Pose => ({ eyes: within(t, 10, 12) ? 'closed' : 'open' });
    const lost = (t: number) => t > 14 + 1e-9 && t < 25 - 1e-9;
    // Unknown from 14 s: known time 10 − (t − 14) drops below 5 s at 19 s, when PERCLOS = 2/5.
    const at10 = monitorSequence(script(10, 30, pose, lost), opts);
    expect(peak(at10.events)).toEqual([
      { t0: 10, t1: 12, kind: 'eyes_closed', peak: 0.9 },
      { t0: 11.5, t1: 19, kind: 'drowsy', peak: 0.4 },
    ]);
    expect(monitorSequence(script(30, 30, pose, lost), opts).events).toEqual(at10.events);
  });

  it('applies the confidence threshold per role', () => {
    const weak = (t: number): Pose => ({ eyes: within(t, 2, 5) ? 'closed' : 'open', eyeScore: within(t, 2, 5) ? 0.2 : 0.9 });
    // Weak closed eyes (0.2 and 0.1) are ignored: the eye state is unknown, not closed.
    expect(monitorSequence(script(10, 8, weak)).events).toEqual([]);
    expect(monitorSequence(script(10, 8, weak), { confidence: { eyeClosed: 0.1 } }).events.map((e) => e.kind)).toEqual(['eyes_closed']);
    // The vote: one closed eye above threshold beats an open eye below it.
    const m = new DriverMonitor();
    const u = m.push({ t: 0, detections: dets([['eye_closed', 0.3], ['eye_opened', 0.2]]) });
    expect(u.state.observation.eyesClosed).toEqual({ on: true, score: f32(0.3) });
  });

  it('counts an eye seen both open and closed (overlapping boxes) once, by its higher score', () => {
    const m = new DriverMonitor();
    // Two eyes, each detected as open (0.45) and closed (0.5 and 0.35): the left reads closed, the right open → tie
    // of one each, and the summed score (0.5 vs 0.45) says closed. Without the pairing it would be 2 open vs 2 closed.
    const det: Detections = {
      count: 4,
      boxes: Float32Array.from([10, 10, 20, 16, 10, 10, 20, 16, 40, 10, 50, 16, 41, 10, 51, 16]),
      scores: Float32Array.from([0.45, 0.5, 0.45, 0.35]),
      classes: Int32Array.from([id('eye_opened'), id('eye_closed'), id('eye_opened'), id('eye_closed')]),
    };
    expect(m.push({ t: 0, detections: det }).state.observation.eyesClosed).toEqual({ on: true, score: f32(0.5) });
    // Apart (no overlap), the four boxes are four parts: 2 open (0.9) vs 2 closed (0.85) → open.
    const apart = { ...det, boxes: Float32Array.from([0, 0, 5, 5, 10, 10, 20, 16, 40, 40, 45, 45, 60, 10, 70, 16]) };
    expect(m.push({ t: 0.1, detections: apart }).state.observation.eyesClosed.on).toBe(false);
  });

  it('reports face absent after 3 s without face evidence', () => {
    const away = (t: number): Pose => ({ face: !within(t, 5, 9) && !within(t, 12, 13) });
    expect(peak(monitorSequence(script(10, 15, away)).events)).toEqual([{ t0: 5, t1: 9, kind: 'face_absent', peak: 1 }]);
  });

  it('streams: opens an alert when the closure reaches longClosure and closes it with the frame that ends it', () => {
    const m = new DriverMonitor();
    const frames = script(10, 10, (t) => ({ eyes: within(t, 5, 7.5) ? 'closed' : 'open' }));
    const opened: number[] = [];
    const closed: number[] = [];
    for (const f of frames) {
      const u = m.push(f);
      if (u.opened.length) opened.push(f.t);
      if (u.closed.length) closed.push(f.t);
      if (f.t === 6.5) {
        expect(u.state.closure).toBe(1.5);
        expect(u.state.active).toEqual([{ t0: 5, kind: 'eyes_closed', peak: Math.round(f32(0.9) * 1e6) / 1e6 }]);
      }
    }
    // Opened at 6.0 s (1 s closed); closed once the eyes stayed open longer than the 0.2 s bridge (7.5 → 7.8 s).
    expect(opened).toEqual([6]);
    expect(closed).toEqual([7.8]);
    expect(m.finish()).toEqual([]);
  });

  it('closes open events at finish()', () => {
    const r = monitorSequence(script(10, 4, (t) => ({ eyes: t >= 2 ? 'closed' : 'open' })));
    expect(peak(r.events)).toEqual([{ t0: 2, t1: 3.9, kind: 'eyes_closed', peak: 0.9 }]);
  });

  it('counts blinks per minute of known eye state', () => {
    // A blink every 4 s (0.2 s each) over 64 s: 15 a minute.
    const pose = (t: number): Pose => ({ eyes: t % 4 >= 1 && t % 4 < 1.2 - 1e-9 ? 'closed' : 'open' });
    const r = monitorSequence(script(10, 64, pose));
    expect(r.events.filter((e) => e.kind === 'blink')).toHaveLength(16);
    expect(r.states.find((s) => s.t === 61.5)!.blinkRate).toBe(15);
    expect(r.states.find((s) => s.t === 20)!.blinkRate).toBeNull();
  });

  it('maps another class list onto the roles', () => {
    const names = ['open', 'shut'];
    const frames = Array.from({ length: 40 }, (_, i) => ({
      t: i / 10,
      detections: dets([[i >= 10 && i < 30 ? 'shut' : 'open', 0.8]], names),
    }));
    const r = monitorSequence(frames, { classNames: names, classes: { eyeOpen: 'open', eyeClosed: 'shut' } });
    expect(peak(r.events)).toEqual([{ t0: 1, t1: 3, kind: 'eyes_closed', peak: 0.8 }]);
    expect(() => new DriverMonitor({ classNames: names, classes: { eyeClosed: 'closed' } })).toThrow(
      /class for eyeClosed is 'closed', which is not among the detector's classes \(open, shut\)/,
    );
  });

  it('rejects bad input with one clear line', () => {
    const m = new DriverMonitor();
    m.push({ t: 1, detections: dets([]) });
    expect(() => m.push({ t: 1, detections: dets([]) })).toThrow(VigilUserError);
    expect(() => m.push({ t: 0.5, detections: dets([]) })).toThrow('monitor: frame times must increase, got 0.5 s after 1 s');
    expect(() => m.push({ t: Number.NaN, detections: dets([]) })).toThrow(/finite/);
    expect(() => new DriverMonitor({ perclos: { on: 0.1, off: 0.2 } })).toThrow('perclos.off must be a number in [0, 0.1], got 0.2');
    expect(() => new DriverMonitor({ confidence: 2 })).toThrow(/confidence threshold of eyeOpen/);
    expect(monitorSequence([]).events).toEqual([]);
    expect(id('phone')).toBe(5);
  });
});
