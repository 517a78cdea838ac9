import type { Detections } from '@vigil/core';
import { MONITOR_ROLES } from './monitor-config.js';
import type { MonitorConfig, MonitorRole } from './monitor-config.js';

/** A binary evidence of one frame: `on` (or `null` = unknown) and the confidence behind it. */
export interface Evidence {
  on: boolean | null;
  /** The score of the deciding detection (0 when nothing was detected). */
  score: number;
}

/** What one frame shows, per signal. */
export interface FrameObservation {
  /** Eyes closed (`null`: no eye detected). */
  eyesClosed: Evidence;
  /** Mouth open (`null`: no mouth detected). */
  mouthOpen: Evidence;
  phone: Evidence;
  cigar: Evidence;
  /** No face evidence at all; score = 1 − best face-evidence score (below-threshold detections included). */
  faceAbsent: Evidence;
}

/** Role → class id (−1 when the role has no class). */
export function roleClassIds(cfg: MonitorConfig): Record<MonitorRole, number> {
  const ids = {} as Record<MonitorRole, number>;
  for (const r of MONITOR_ROLES) {
    const name = cfg.classes[r];
    ids[r] = name === null ? -1 : cfg.classNames.indexOf(name);
  }
  return ids;
}

/**
 * Two-state vote between the "on" class (closed eye, open mouth) and the "off" class: the class with more detections
 * above threshold wins, a tie goes to the higher summed score (so a wink with the closed eye scored higher is closed).
 */
function vote(onScores: number[], offScores: number[]): Evidence {
  if (onScores.length === 0 && offScores.length === 0) return { on: null, score: 0 };
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  const on =
    onScores.length !== offScores.length ? onScores.length > offScores.length : sum(onScores) > sum(offScores);
  return { on, score: Math.max(0, ...(on ? onScores : offScores)) };
}

/** Reduces one frame's detections (core's {@link Detections}, class ids into `cfg.classNames`) to evidence per signal. */
export function observeFrame(det: Detections, cfg: MonitorConfig, ids: Record<MonitorRole, number>): FrameObservation {
  const passed: Record<MonitorRole, number[]> = {
    eyeOpen: [], eyeClosed: [], mouthOpen: [], mouthClosed: [], face: [], phone: [], cigar: [],
  };
  let bestFaceEvidence = 0;
  for (let i = 0; i < det.count; i++) {
    const cls = det.classes[i]!;
    const score = det.scores[i]!;
    for (const r of MONITOR_ROLES) {
      if (ids[r] !== cls) continue;
      if (cfg.faceEvidence.includes(r)) bestFaceEvidence = Math.max(bestFaceEvidence, score);
      if (score >= cfg.confidence[r]) passed[r].push(score);
    }
  }
  const presence = (scores: number[]): Evidence => ({ on: scores.length > 0, score: Math.max(0, ...scores) });
  const faceSeen = cfg.faceEvidence.some((r) => passed[r].length > 0);
  return {
    eyesClosed: vote(passed.eyeClosed, passed.eyeOpen),
    mouthOpen: vote(passed.mouthOpen, passed.mouthClosed),
    phone: ids.phone < 0 ? { on: null, score: 0 } : presence(passed.phone),
    cigar: ids.cigar < 0 ? { on: null, score: 0 } : presence(passed.cigar),
    faceAbsent: { on: !faceSeen, score: faceSeen ? 0 : 1 - bestFaceEvidence },
  };
}
