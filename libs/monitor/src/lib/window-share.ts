import { roundMicro } from './run-tracker.js';
import type { ActiveEvent, TrackerUpdate } from './run-tracker.js';
import type { EventKind } from './monitor-config.js';

/** A state of the tracked quantity over an interval: 1 = on (eyes closed), 0 = off, −1 = unknown. */
type Level = 1 | 0 | -1;

interface Run {
  t0: number;
  t1: number;
  v: Level;
}

/** Options of {@link WindowShare}. */
export interface WindowShareOptions {
  kind: EventKind;
  window: number;
  on: number;
  off: number;
  minCoverage: number;
  /** Seconds of input kept for {@link WindowShare.knownTime} beyond the window (default: the window). */
  history?: number;
}

/** Slack on windowed times (seconds) when deciding whether a linear function has crossed zero. */
const VALUE_EPS = 1e-9;

/**
 * Share of known time spent "on" over a sliding window (PERCLOS), as an exact function of time, with threshold
 * hysteresis: an event starts when share ≥ `on` and ends when share < `off` or the known time in the window drops below
 * `minCoverage`·window.
 *
 * Frame-rate independent by construction: the input is merged into runs of equal state, and between consecutive
 * breakpoints (run boundaries b and b + window) the on-time C(τ) and known time K(τ) are linear in τ, so crossings are
 * solved exactly from values anchored at the breakpoint — the same runs give the same event times whatever the
 * frame grid that produced them.
 */
export class WindowShare {
  private runs: Run[] = [];
  private start: number | undefined;
  private processed = 0;
  private mode: 'unknown' | 'off' | 'on' = 'unknown';
  private event: { t0: number; peak: number } | null = null;

  constructor(private readonly o: WindowShareOptions) {}

  /** The interval [a, b] (contiguous with the previous one) had level `v`. */
  feed(a: number, b: number, v: Level, out: TrackerUpdate): void {
    if (this.start === undefined) {
      this.start = a;
      this.processed = a;
    }
    const last = this.runs[this.runs.length - 1];
    if (last && last.v === v) last.t1 = b;
    else this.runs.push({ t0: a, t1: b, v });
    this.advance(b, out);
    // Keep what the window and the breakpoint search still need.
    const keepFrom = this.processed - Math.max(this.o.window, this.o.history ?? 0);
    while (this.runs.length > 1 && this.runs[0]!.t1 < keepFrom) this.runs.shift();
  }

  /** The share at time τ (≤ the end of the input), or null while the window's known time is below coverage. */
  value(tau: number): number | null {
    const { c, k } = this.sums(tau);
    return k >= this.o.minCoverage * this.o.window - VALUE_EPS && k > 0 ? c / k : null;
  }

  /** Closes an active event at the end of the input. */
  finish(out: TrackerUpdate): void {
    if (this.mode === 'on') this.close(this.processed, out);
    this.mode = 'unknown';
  }

  active(): ActiveEvent | null {
    return this.event ? { t0: roundMicro(this.event.t0), kind: this.o.kind, peak: roundMicro(this.event.peak) } : null;
  }

  /** Known time in [τ − w, τ] (w up to the window or `history`). */
  knownTime(tau: number, w: number): number {
    return this.sums(tau, w).k;
  }

  /** On-time and known time in [τ − w, τ] (clipped to the start of the input). */
  private sums(tau: number, w = this.o.window): { c: number; k: number } {
    const lo = tau - w;
    let c = 0;
    let k = 0;
    for (const r of this.runs) {
      if (r.v < 0 || r.t1 <= lo || r.t0 >= tau) continue;
      const len = Math.min(r.t1, tau) - Math.max(r.t0, lo);
      k += len;
      if (r.v === 1) c += len;
    }
    return { c, k };
  }

  private levelAt(tau: number): Level | null {
    if (this.start === undefined || tau < this.start) return null;
    for (const r of this.runs) if (tau >= r.t0 && tau < r.t1) return r.v;
    return null;
  }

  /** Breakpoints (run boundaries and boundaries + window) in (lo, hi), sorted, plus the largest one ≤ lo. */
  private breakpoints(lo: number, hi: number): { anchor: number; inside: number[] } {
    const w = this.o.window;
    let anchor = this.start!;
    const inside = new Set<number>();
    const consider = (b: number) => {
      if (b <= lo) anchor = Math.max(anchor, b);
      else if (b < hi) inside.add(b);
    };
    for (const r of this.runs) {
      consider(r.t0);
      consider(r.t0 + w);
      consider(r.t1);
      consider(r.t1 + w);
    }
    consider(this.start! + w);
    return { anchor, inside: [...inside].sort((x, y) => x - y) };
  }

  /** Runs the hysteresis state machine over (processed, t]. */
  private advance(t: number, out: TrackerUpdate): void {
    const { anchor: firstAnchor, inside } = this.breakpoints(this.processed, t);
    const cuts = [this.processed, ...inside, t];
    let anchor = firstAnchor;
    for (let i = 0; i + 1 < cuts.length; i++) {
      if (i > 0) anchor = cuts[i]!;
      this.piece(anchor, cuts[i]!, cuts[i + 1]!, out);
    }
    this.processed = t;
  }

  /** One linear piece [lo, hi] whose linear functions are anchored at breakpoint `anchor` ≤ lo. */
  private piece(anchor: number, lo: number, hi: number, out: TrackerUpdate): void {
    if (hi <= lo) return;
    const { on: thOn, off: thOff, window: w } = this.o;
    const minK = this.o.minCoverage * w;
    const mid = (lo + hi) / 2;
    const right = this.levelAt(mid) ?? -1;
    const left = this.levelAt(mid - w) ?? -1;
    const dc = (right === 1 ? 1 : 0) - (left === 1 ? 1 : 0);
    const dk = (right >= 0 ? 1 : 0) - (left >= 0 ? 1 : 0);
    const { c: c0, k: k0 } = this.sums(anchor);
    const c = (tau: number) => c0 + (tau - anchor) * dc;
    const k = (tau: number) => k0 + (tau - anchor) * dk;
    // Earliest τ in [from, hi] from which g (linear: value g0 at the anchor, slope s) stays ≥ 0 / < 0; null if none.
    const rise = (from: number, g0: number, s: number): number | null => {
      const gf = g0 + (from - anchor) * s;
      if (gf > VALUE_EPS || (gf >= -VALUE_EPS && s >= 0)) return from;
      if (s <= 0) return null;
      const root = anchor - g0 / s;
      return root <= hi ? Math.max(root, from) : null;
    };
    const fall = (from: number, g0: number, s: number): number | null => {
      const gf = g0 + (from - anchor) * s;
      if (gf < -VALUE_EPS || (gf <= VALUE_EPS && s < 0)) return from;
      if (s >= 0) return null;
      const root = anchor - g0 / s;
      return root <= hi ? Math.max(root, from) : null;
    };
    let from = lo;
    // A linear piece has at most three transitions (unknown → off → on, or on → off/unknown); the guard only stops
    // a float tie from looping.
    for (let guard = 0; guard < 6; guard++) {
      const lost = fall(from, k0 - minK, dk);
      let next: number;
      if (this.mode === 'unknown') {
        const covered = rise(from, k0 - minK, dk);
        if (covered === null) break;
        next = covered;
        this.mode = 'off';
      } else if (this.mode === 'off') {
        const up = rise(from, c0 - thOn * k0, dc - thOn * dk);
        if (lost !== null && (up === null || lost <= up)) {
          next = lost;
          this.mode = 'unknown';
        } else if (up !== null) {
          next = up;
          this.mode = 'on';
          this.event = { t0: up, peak: c(up) / k(up) };
          out.opened.push({ t0: roundMicro(up), kind: this.o.kind, peak: roundMicro(this.event.peak) });
        } else break;
      } else {
        const down = fall(from, c0 - thOff * k0, dc - thOff * dk);
        this.event!.peak = Math.max(this.event!.peak, c(from) / k(from));
        if (down === null && lost === null) {
          this.event!.peak = Math.max(this.event!.peak, c(hi) / k(hi));
          break;
        }
        const byCoverage = lost !== null && (down === null || lost <= down);
        next = byCoverage ? lost : down!;
        this.close(next, out, c(next) / k(next));
        this.mode = byCoverage ? 'unknown' : 'off';
      }
      from = next;
    }
  }

  private close(t1: number, out: TrackerUpdate, last?: number): void {
    const e = this.event!;
    if (last !== undefined && Number.isFinite(last)) e.peak = Math.max(e.peak, last);
    out.closed.push({ t0: roundMicro(e.t0), t1: roundMicro(t1), kind: this.o.kind, peak: roundMicro(e.peak) });
    this.event = null;
  }
}

