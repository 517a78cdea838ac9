import { CLASS_NAMES, VigilUserError, checkRange } from '@vigil/core';

/** What the monitor needs to recognise in a frame; each role is one class of the detector. */
export const MONITOR_ROLES = ['eyeOpen', 'eyeClosed', 'mouthOpen', 'mouthClosed', 'face', 'phone', 'cigar'] as const;
export type MonitorRole = (typeof MONITOR_ROLES)[number];

/** Kinds of events on the timeline. */
export const EVENT_KINDS = ['drowsy', 'eyes_closed', 'blink', 'yawn', 'phone', 'cigar', 'face_absent'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** An event that raises an alert from `t0 + minDuration` on and stays up during `bridge` after the evidence ends. */
export interface RunSignalConfig {
  /** Seconds the evidence must last before it is an event (on-delay hysteresis). */
  minDuration: number;
  /** Gaps in the evidence up to this many seconds do not end the event (off-delay hysteresis). */
  bridge: number;
}

/** Serialisable configuration of {@link DriverMonitor}; every field has a default ({@link DEFAULT_MONITOR_CONFIG}). */
export interface MonitorConfig {
  /** The detector's class names; a detection's class id indexes this list. */
  classNames: readonly string[];
  /** Class name for each role, `null` when the detector has no such class (that signal is then never raised). */
  classes: Record<MonitorRole, string | null>;
  /** Detections below this score are ignored (per role). */
  confidence: Record<MonitorRole, number>;
  /** Roles whose detection proves a face is in view (face absent = none of them). */
  faceEvidence: readonly MonitorRole[];
  /** Seconds between two frames above which the interval is unknown (dropped frames), not held from the earlier frame. */
  maxGap: number;
  /** PERCLOS: share of time with the eyes closed over a sliding window, with threshold hysteresis. */
  perclos: {
    /** Window in seconds. */
    window: number;
    /** `drowsy` starts when PERCLOS ≥ on … */
    on: number;
    /** … and ends when PERCLOS < off. */
    off: number;
    /** PERCLOS is unknown while less than this share of the window has a known eye state. */
    minCoverage: number;
  };
  /** Eye closures: a closure shorter than `longClosure` is a `blink`, a longer one an `eyes_closed` event (alert). */
  eyes: { longClosure: number; bridge: number; blinkRateWindow: number };
  yawn: RunSignalConfig;
  phone: RunSignalConfig;
  cigar: RunSignalConfig;
  faceAbsent: RunSignalConfig;
}

/** Call options: any part of {@link MonitorConfig}; `confidence` may be one number for every role. */
export interface MonitorOptions {
  classNames?: readonly string[];
  classes?: Partial<Record<MonitorRole, string | null>>;
  confidence?: number | Partial<Record<MonitorRole, number>>;
  faceEvidence?: readonly MonitorRole[];
  maxGap?: number;
  perclos?: Partial<MonitorConfig['perclos']>;
  eyes?: Partial<MonitorConfig['eyes']>;
  yawn?: Partial<RunSignalConfig>;
  phone?: Partial<RunSignalConfig>;
  cigar?: Partial<RunSignalConfig>;
  faceAbsent?: Partial<RunSignalConfig>;
}

/** The defaults; README.md gives the literature behind each number. */
export const DEFAULT_MONITOR_CONFIG: MonitorConfig = {
  classNames: CLASS_NAMES,
  classes: {
    eyeOpen: 'eye_opened',
    eyeClosed: 'eye_closed',
    mouthOpen: 'mouth_opened',
    mouthClosed: 'mouth_closed',
    face: 'face',
    phone: 'phone',
    cigar: 'cigar',
  },
  // YOLOv5 detect.py's conf_thres.
  confidence: { eyeOpen: 0.25, eyeClosed: 0.25, mouthOpen: 0.25, mouthClosed: 0.25, face: 0.25, phone: 0.25, cigar: 0.25 },
  faceEvidence: ['face', 'eyeOpen', 'eyeClosed', 'mouthOpen', 'mouthClosed'],
  // Blinks last 0.1–0.4 s: below 2 fps the eye state between two frames is not observed.
  maxGap: 0.5,
  // P80 over one minute (Wierwille et al. 1994; Dinges & Grace 1998), drowsy at 0.15.
  perclos: { window: 60, on: 0.15, off: 0.12, minCoverage: 0.5 },
  // Closures of 1 s and more: Euro NCAP's microsleep; blink rate over one minute.
  eyes: { longClosure: 1, bridge: 0.2, blinkRateWindow: 60 },
  // A yawn lasts ~6 s (Provine 1986); speech opens the mouth for well under a second.
  yawn: { minDuration: 2, bridge: 0.3 },
  phone: { minDuration: 1, bridge: 1 },
  cigar: { minDuration: 1, bridge: 1 },
  // Euro NCAP's long distraction: 3 s away from the road.
  faceAbsent: { minDuration: 3, bridge: 0.5 },
};

function runConfig(name: string, base: RunSignalConfig, o: Partial<RunSignalConfig> | undefined): RunSignalConfig {
  const c = { ...base, ...o };
  checkRange(`${name}.minDuration (seconds)`, c.minDuration, 0, 3600);
  checkRange(`${name}.bridge (seconds)`, c.bridge, 0, 3600);
  return c;
}

/** Fills defaults and validates; a bad value is a {@link VigilUserError} naming the option. */
export function resolveMonitorConfig(o: MonitorOptions = {}): MonitorConfig {
  const d = DEFAULT_MONITOR_CONFIG;
  const classNames = o.classNames ?? d.classNames;
  const classes = { ...d.classes, ...o.classes };
  // With another class list, a default name that list lacks means "no such class", not an error.
  for (const role of MONITOR_ROLES) {
    const name = classes[role];
    if (name === null) continue;
    if (!classNames.includes(name)) {
      if (o.classes?.[role] !== undefined) {
        throw new VigilUserError(
          `monitor class for ${role} is '${name}', which is not among the detector's classes (${classNames.join(', ')}); ` +
            `pass one of them or null`,
        );
      }
      classes[role] = null;
    }
  }
  const confidence = { ...d.confidence };
  if (typeof o.confidence === 'number') for (const r of MONITOR_ROLES) confidence[r] = o.confidence;
  else Object.assign(confidence, o.confidence);
  for (const r of MONITOR_ROLES) checkRange(`confidence threshold of ${r}`, confidence[r], 0, 1);
  const faceEvidence = o.faceEvidence ?? d.faceEvidence;
  for (const r of faceEvidence) if (!MONITOR_ROLES.includes(r)) throw new VigilUserError(`faceEvidence: unknown role '${r}' (roles: ${MONITOR_ROLES.join(', ')})`);
  const cfg: MonitorConfig = {
    classNames,
    classes,
    confidence,
    faceEvidence,
    maxGap: o.maxGap ?? d.maxGap,
    perclos: { ...d.perclos, ...o.perclos },
    eyes: { ...d.eyes, ...o.eyes },
    yawn: runConfig('yawn', d.yawn, o.yawn),
    phone: runConfig('phone', d.phone, o.phone),
    cigar: runConfig('cigar', d.cigar, o.cigar),
    faceAbsent: runConfig('faceAbsent', d.faceAbsent, o.faceAbsent),
  };
  checkRange('maxGap (seconds)', cfg.maxGap, 0, 3600);
  checkRange('perclos.window (seconds)', cfg.perclos.window, 1e-3, 3600);
  checkRange('perclos.on', cfg.perclos.on, 0, 1);
  checkRange('perclos.off', cfg.perclos.off, 0, cfg.perclos.on);
  checkRange('perclos.minCoverage', cfg.perclos.minCoverage, 1e-3, 1);
  checkRange('eyes.longClosure (seconds)', cfg.eyes.longClosure, 0, 3600);
  checkRange('eyes.bridge (seconds)', cfg.eyes.bridge, 0, 3600);
  checkRange('eyes.blinkRateWindow (seconds)', cfg.eyes.blinkRateWindow, 1e-3, 3600);
  return cfg;
}
