import type { EventKind } from './monitor-config.js';

/** One event of the timeline: [t0, t1] in seconds (stream time), its kind and the peak of its signal. */
export interface MonitorEvent {
  t0: number;
  t1: number;
  kind: EventKind;
  /** drowsy: highest PERCLOS; face_absent: highest 1 − face-evidence score; others: highest detection score. */
  peak: number;
}

/** An event still going on: start, kind and peak so far. */
export interface ActiveEvent {
  t0: number;
  kind: EventKind;
  peak: number;
}

/** Slack for comparing times computed from different frame grids (one microsecond). */
export const TIME_EPS = 1e-6;

/** Times and peaks are reported rounded to the microsecond, so that equal timelines print equal. */
export function roundMicro(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** What feeding a tracker produced. */
export interface TrackerUpdate {
  opened: ActiveEvent[];
  closed: MonitorEvent[];
}

/**
 * Turns a binary evidence over time into events with time hysteresis: a run of "on" intervals whose gaps are at most
 * `bridge` seconds is one candidate; it becomes an event of `kind` (and an active alert) once it has lasted
 * `minDuration`, and ends `bridge` seconds after the last "on" interval (t1 = end of that interval). A candidate that
 * ends shorter than `minDuration` is dropped, or reported as `shortKind` when given (closures: blinks).
 */
export class RunTracker {
  private run: { t0: number; end: number; peak: number; active: boolean } | null = null;

  constructor(
    readonly kind: EventKind,
    private readonly minDuration: number,
    private readonly bridge: number,
    private readonly shortKind?: EventKind,
  ) {}

  /** The interval [a, b] had evidence `on` (false and unknown both end runs after `bridge`) with `score`. */
  feed(a: number, b: number, on: boolean, score: number, out: TrackerUpdate): void {
    const run = this.run;
    if (run && (on ? a : b) - run.end > this.bridge + TIME_EPS) this.finish(out);
    if (!on) return;
    if (!this.run) this.run = { t0: a, end: b, peak: score, active: false };
    else {
      this.run.end = b;
      this.run.peak = Math.max(this.run.peak, score);
    }
    const r = this.run;
    if (!r.active && r.end - r.t0 >= this.minDuration - TIME_EPS) {
      r.active = true;
      out.opened.push({ t0: roundMicro(r.t0), kind: this.kind, peak: roundMicro(r.peak) });
    }
  }

  /** Ends the current candidate (end of stream, or its bridge ran out). */
  finish(out: TrackerUpdate): void {
    const r = this.run;
    if (!r) return;
    this.run = null;
    const kind = r.active ? this.kind : this.shortKind;
    if (kind) out.closed.push({ t0: roundMicro(r.t0), t1: roundMicro(r.end), kind, peak: roundMicro(r.peak) });
  }

  /** The active alert, if any. */
  active(): ActiveEvent | null {
    const r = this.run;
    return r?.active ? { t0: roundMicro(r.t0), kind: this.kind, peak: roundMicro(r.peak) } : null;
  }

  /** Seconds the current candidate has lasted (0 when none). */
  duration(): number {
    return this.run ? this.run.end - this.run.t0 : 0;
  }
}
