import { EVENT_KINDS } from '@vigil/monitor';
import type { EventKind, MonitorEvent, MonitorState } from '@vigil/monitor';

/** Kinds that count as drowsy / distracted time in the summary. */
const DROWSY_KINDS: readonly EventKind[] = ['drowsy', 'eyes_closed'];
const DISTRACTED_KINDS: readonly EventKind[] = ['phone', 'cigar', 'face_absent'];

/** Total length of the union of the events' intervals (overlapping events count once). */
export function unionSeconds(events: readonly MonitorEvent[]): number {
  const sorted = [...events].sort((a, b) => a.t0 - b.t0);
  let total = 0;
  let span: { start: number; end: number } | undefined;
  for (const e of sorted) {
    if (span && e.t0 <= span.end) span.end = Math.max(span.end, e.t1);
    else {
      if (span) total += span.end - span.start;
      span = { start: e.t0, end: e.t1 };
    }
  }
  return span ? total + span.end - span.start : total;
}

/** The event timeline as CSV: kind,t0,t1,duration,peak (seconds, 3 decimals; peak 4). */
export function eventsCsv(events: readonly MonitorEvent[]): string {
  const rows = events.map((e) => `${e.kind},${e.t0.toFixed(3)},${e.t1.toFixed(3)},${(e.t1 - e.t0).toFixed(3)},${e.peak.toFixed(4)}`);
  return ['kind,t0,t1,duration,peak', ...rows].join('\n') + '\n';
}

/** Per-frame signals as CSV (for charts): t, eyes, mouth, perclos, blink rate, closure, active alerts. */
export function statesCsv(states: readonly MonitorState[]): string {
  const tri = (v: boolean | null, on: string, off: string) => (v === null ? '' : v ? on : off);
  const rows = states.map((s) =>
    [
      s.t.toFixed(3),
      tri(s.observation.eyesClosed.on, 'closed', 'open'),
      tri(s.observation.mouthOpen.on, 'open', 'closed'),
      s.perclos === null ? '' : s.perclos.toFixed(4),
      s.blinkRate === null ? '' : s.blinkRate.toFixed(2),
      s.closure.toFixed(3),
      s.active.map((a) => a.kind).join(' '),
    ].join(','),
  );
  return ['t,eyes,mouth,perclos,blink_rate,closure,active', ...rows].join('\n') + '\n';
}

/** The summary table: events and total seconds per kind, then drowsy and distracted time. */
export function formatMonitorSummary(events: readonly MonitorEvent[], seconds: number): string {
  const lines = [`${'kind'.padEnd(12)} ${'events'.padStart(6)} ${'total s'.padStart(8)}`];
  for (const kind of EVENT_KINDS) {
    const of = events.filter((e) => e.kind === kind);
    lines.push(`${kind.padEnd(12)} ${String(of.length).padStart(6)} ${unionSeconds(of).toFixed(1).padStart(8)}`);
  }
  const share = (s: number) => (seconds > 0 ? ` (${((100 * s) / seconds).toFixed(1)} % of ${seconds.toFixed(1)} s)` : '');
  const drowsy = unionSeconds(events.filter((e) => DROWSY_KINDS.includes(e.kind)));
  const distracted = unionSeconds(events.filter((e) => DISTRACTED_KINDS.includes(e.kind)));
  lines.push(`drowsy (drowsy, eyes_closed): ${drowsy.toFixed(1)} s${share(drowsy)}`);
  lines.push(`distracted (phone, cigar, face_absent): ${distracted.toFixed(1)} s${share(distracted)}`);
  return lines.join('\n');
}

/** A ground-truth event `{ t0, t1, kind }` (e.g. a synthetic clip's events.json). */
export interface TruthEvent {
  t0: number;
  t1: number;
  kind: string;
}

/** One truth event and the found event of its kind that overlaps it most (undefined when none overlaps). */
export interface TruthMatch {
  truth: TruthEvent;
  found?: MonitorEvent;
  /** Both |Δt0| and |Δt1| within the tolerance. */
  ok: boolean;
}

/** Matches each truth event to the overlapping found event of the same kind with the largest overlap. */
export function matchTruth(truth: readonly TruthEvent[], found: readonly MonitorEvent[], tolerance: number): TruthMatch[] {
  return truth.map((t) => {
    let best: MonitorEvent | undefined;
    let bestOverlap = 0;
    for (const e of found) {
      if (e.kind !== t.kind) continue;
      const overlap = Math.min(e.t1, t.t1) - Math.max(e.t0, t.t0);
      if (overlap > bestOverlap) {
        best = e;
        bestOverlap = overlap;
      }
    }
    const ok = best !== undefined && Math.abs(best.t0 - t.t0) <= tolerance && Math.abs(best.t1 - t.t1) <= tolerance;
    return { truth: t, ...(best ? { found: best } : {}), ok };
  });
}

/** The comparison as a table: truth interval, found interval, deltas, ok. */
export function formatTruthMatches(matches: readonly TruthMatch[], tolerance: number): string {
  const f = (v: number) => v.toFixed(2).padStart(6);
  const lines = [`${'truth'.padEnd(12)} ${'t0'.padStart(6)} ${'t1'.padStart(6)}   found t0     t1    Δt0    Δt1`];
  for (const m of matches) {
    const head = `${m.truth.kind.padEnd(12)} ${f(m.truth.t0)} ${f(m.truth.t1)}  `;
    lines.push(
      m.found
        ? `${head}  ${f(m.found.t0)} ${f(m.found.t1)} ${f(m.found.t0 - m.truth.t0)} ${f(m.found.t1 - m.truth.t1)}  ${m.ok ? 'ok' : 'off'}`
        : `${head}  (not found)`,
    );
  }
  const ok = matches.filter((m) => m.ok).length;
  lines.push(`${ok}/${matches.length} truth events found with start and end within ${tolerance} s`);
  return lines.join('\n');
}
