import { nmsIndices } from '@vigil/core';
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

/** A detection that passed its role's threshold: its score and its index in the frame's detections. */
interface Passed {
  score: number;
  index: number;
}

/**
 * Two-state vote between the "on" class (closed eye, open mouth) and the "off" class. Overlapping boxes of the two
 * classes (IoU > `SAME_PART_IOU`) are one eye or mouth seen both ways (per-class NMS keeps both): only the
 * higher-scored one counts. Then the class with more parts wins; a tie goes to the higher summed score (a wink with the
 * closed eye scored higher reads closed).
 */
function vote(det: Detections, on: Passed[], off: Passed[]): Evidence {
  if (on.length === 0 && off.length === 0) return { on: null, score: 0 };
  const all = [...on.map((p) => ({ ...p, on: true })), ...off.map((p) => ({ ...p, on: false }))];
  const boxes = new Float32Array(all.length * 4);
  all.forEach((p, i) => boxes.set(det.boxes.subarray(4 * p.index, 4 * p.index + 4), 4 * i));
  const kept = Array.from(nmsIndices(boxes, Float32Array.from(all, (p) => p.score), SAME_PART_IOU), (i) => all[i]!);
  const onScores = kept.filter((p) => p.on).map((p) => p.score);
  const offScores = kept.filter((p) => !p.on).map((p) => p.score);
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  const isOn =
    onScores.length !== offScores.length ? onScores.length > offScores.length : sum(onScores) > sum(offScores);
  return { on: isOn, score: Math.max(0, ...(isOn ? onScores : offScores)) };
}

/** IoU above which an open and a closed box are the same eye (or mouth). */
const SAME_PART_IOU = 0.5;

/** Reduces one frame's detections (core's {@link Detections}, class ids into `cfg.classNames`) to evidence per signal. */
export function observeFrame(det: Detections, cfg: MonitorConfig, ids: Record<MonitorRole, number>): FrameObservation {
  const passed: Record<MonitorRole, Passed[]> = {
    eyeOpen: [], eyeClosed: [], mouthOpen: [], mouthClosed: [], face: [], phone: [], cigar: [],
  };
  let bestFaceEvidence = 0;
  for (let i = 0; i < det.count; i++) {
    const cls = det.classes[i]!;
    const score = det.scores[i]!;
    for (const r of MONITOR_ROLES) {
      if (ids[r] !== cls) continue;
      if (cfg.faceEvidence.includes(r)) bestFaceEvidence = Math.max(bestFaceEvidence, score);
      if (score >= cfg.confidence[r]) passed[r].push({ score, index: i });
    }
  }
  const presence = (p: Passed[]): Evidence => ({ on: p.length > 0, score: Math.max(0, ...p.map((x) => x.score)) });
  const faceSeen = cfg.faceEvidence.some((r) => passed[r].length > 0);
  return {
    eyesClosed: vote(det, passed.eyeClosed, passed.eyeOpen),
    mouthOpen: vote(det, passed.mouthOpen, passed.mouthClosed),
    phone: ids.phone < 0 ? { on: null, score: 0 } : presence(passed.phone),
    cigar: ids.cigar < 0 ? { on: null, score: 0 } : presence(passed.cigar),
    faceAbsent: { on: !faceSeen, score: faceSeen ? 0 : 1 - bestFaceEvidence },
  };
}
