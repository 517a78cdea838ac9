import { VigilUserError } from '@vigil/core';
import type { Detections } from '@vigil/core';
import { EVENT_KINDS, resolveMonitorConfig } from './monitor-config.js';
import type { EventKind, MonitorConfig, MonitorOptions, MonitorRole } from './monitor-config.js';
import { observeFrame, roleClassIds } from './observe-frame.js';
import type { FrameObservation } from './observe-frame.js';
import { RunTracker, TIME_EPS, roundMicro } from './run-tracker.js';
import type { ActiveEvent, MonitorEvent, TrackerUpdate } from './run-tracker.js';
import { WindowShare } from './window-share.js';

/** One frame: its time in seconds (strictly increasing) and its detections (class ids into `classNames`). */
export interface MonitorFrame {
  t: number;
  detections: Detections;
}

/** The driver's state at a frame's time. */
export interface MonitorState {
  t: number;
  /** What this frame shows. */
  observation: FrameObservation;
  /** PERCLOS over the window ending at `t` (0–1), null while the window's known eye time is below coverage. */
  perclos: number | null;
  /** Blinks per minute over the blink-rate window (per minute of known eye state), null below coverage. */
  blinkRate: number | null;
  /** Seconds the current eye closure has lasted (gaps up to the bridge included; it keeps its last value while the
   * eyes have been open for less than the bridge, then 0). */
  closure: number;
  /** Alerts on at `t` (every kind but blink), in {@link EVENT_KINDS} order. */
  active: ActiveEvent[];
}

/** What {@link DriverMonitor.push} returns: the state and the events that started or ended with this frame. */
export interface MonitorUpdate {
  state: MonitorState;
  /** Alerts that started (t0 may lie before this frame: it is when the evidence began). */
  opened: ActiveEvent[];
  /** Finished events, blinks included. */
  closed: MonitorEvent[];
}

const KIND_ORDER = new Map<EventKind, number>(EVENT_KINDS.map((k, i) => [k, i]));

/** Timeline order: by t0, then kind. */
export function compareEvents(a: { t0: number; kind: EventKind }, b: { t0: number; kind: EventKind }): number {
  return a.t0 - b.t0 || KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)!;
}

/**
 * Streaming driver monitor: push frames in time order, get the state at each frame and the events it opened and
 * closed; {@link finish} closes what is still open. Each frame's observation holds until the next frame (sample and
 * hold); an interval longer than `maxGap` (dropped frames, a stalled camera) is unknown for every signal: it ends runs
 * like "open"/"absent" would, but counts neither as eyes closed nor open for PERCLOS.
 */
export class DriverMonitor {
  readonly config: MonitorConfig;
  private readonly ids: Record<MonitorRole, number>;
  private readonly perclos: WindowShare;
  private readonly closures: RunTracker;
  private readonly runs: { tracker: RunTracker; pick: (o: FrameObservation) => { on: boolean | null; score: number } }[];
  private prev: { t: number; obs: FrameObservation } | null = null;
  private blinkEnds: number[] = [];
  private finished = false;

  constructor(options: MonitorOptions = {}) {
    const cfg = resolveMonitorConfig(options);
    this.config = cfg;
    this.ids = roleClassIds(cfg);
    this.perclos = new WindowShare({ kind: 'drowsy', ...cfg.perclos, history: cfg.eyes.blinkRateWindow });
    this.closures = new RunTracker('eyes_closed', cfg.eyes.longClosure, cfg.eyes.bridge, 'blink');
    this.runs = [
      { tracker: this.closures, pick: (o) => o.eyesClosed },
      { tracker: new RunTracker('yawn', cfg.yawn.minDuration, cfg.yawn.bridge), pick: (o) => o.mouthOpen },
      { tracker: new RunTracker('phone', cfg.phone.minDuration, cfg.phone.bridge), pick: (o) => o.phone },
      { tracker: new RunTracker('cigar', cfg.cigar.minDuration, cfg.cigar.bridge), pick: (o) => o.cigar },
      { tracker: new RunTracker('face_absent', cfg.faceAbsent.minDuration, cfg.faceAbsent.bridge), pick: (o) => o.faceAbsent },
    ];
  }

  /** Adds the next frame. Throws a {@link VigilUserError} for a time that is not finite or not after the previous one. */
  push(frame: MonitorFrame): MonitorUpdate {
    const { t } = frame;
    if (this.finished) throw new VigilUserError('monitor: push after finish()');
    if (!Number.isFinite(t)) throw new VigilUserError(`monitor: frame time must be a finite number of seconds, got ${t}`);
    if (this.prev && !(t > this.prev.t)) {
      throw new VigilUserError(`monitor: frame times must increase, got ${t} s after ${this.prev.t} s`);
    }
    const obs = observeFrame(frame.detections, this.config, this.ids);
    const out: TrackerUpdate = { opened: [], closed: [] };
    if (this.prev) this.feedInterval(this.prev.t, t, t - this.prev.t > this.config.maxGap + TIME_EPS ? null : this.prev.obs, out);
    this.prev = { t, obs };
    return { state: this.stateAt(t, obs), ...sorted(out) };
  }

  /** Ends the stream at the last frame: closes every open event. Returns the events closed. */
  finish(): MonitorEvent[] {
    const out: TrackerUpdate = { opened: [], closed: [] };
    if (!this.finished) {
      this.finished = true;
      for (const r of this.runs) r.tracker.finish(out);
      this.perclos.finish(out);
    }
    return sorted(out).closed;
  }

  /** [a, b] had observation `obs` (null = unknown). */
  private feedInterval(a: number, b: number, obs: FrameObservation | null, out: TrackerUpdate): void {
    for (const r of this.runs) {
      const e = obs ? r.pick(obs) : { on: null, score: 0 };
      r.tracker.feed(a, b, e.on === true, e.score, out);
    }
    const eyes = obs?.eyesClosed.on;
    this.perclos.feed(a, b, eyes === true ? 1 : eyes === false ? 0 : -1, out);
    for (const e of out.closed) if (e.kind === 'blink') this.blinkEnds.push(e.t1);
  }

  private stateAt(t: number, observation: FrameObservation): MonitorState {
    const w = this.config.eyes.blinkRateWindow;
    while (this.blinkEnds.length > 0 && this.blinkEnds[0]! < t - w) this.blinkEnds.shift();
    const known = this.perclos.knownTime(t, w);
    const blinkRate =
      known > 0 && known >= this.config.perclos.minCoverage * w - TIME_EPS ? roundMicro((this.blinkEnds.length * 60) / known) : null;
    const perclos = this.perclos.value(t);
    const active = [this.perclos.active(), ...this.runs.map((r) => r.tracker.active())].filter(
      (e): e is ActiveEvent => e !== null,
    );
    active.sort(compareEvents);
    return {
      t,
      observation,
      perclos: perclos === null ? null : roundMicro(perclos),
      blinkRate,
      closure: roundMicro(this.closures.duration()),
      active,
    };
  }
}

function sorted(out: TrackerUpdate): TrackerUpdate {
  return { opened: [...out.opened].sort(compareEvents), closed: [...out.closed].sort(compareEvents) };
}

/** Result of {@link monitorSequence}. */
export interface MonitorSequenceResult {
  /** Every event, in timeline order. */
  events: MonitorEvent[];
  /** The state at each frame. */
  states: MonitorState[];
}

/** Batch helper: runs a {@link DriverMonitor} over a whole sequence of frames (in time order). */
export function monitorSequence(frames: Iterable<MonitorFrame>, options: MonitorOptions = {}): MonitorSequenceResult {
  const m = new DriverMonitor(options);
  const events: MonitorEvent[] = [];
  const states: MonitorState[] = [];
  for (const f of frames) {
    const u = m.push(f);
    states.push(u.state);
    events.push(...u.closed);
  }
  events.push(...m.finish());
  events.sort(compareEvents);
  return { events, states };
}
