import { type ApPerClassResult, apPerClass, type MatchStats, meanOverThresholds } from './ap-per-class.js';
import { meanNumpy } from './numpy-compat.js';
import { NIOU } from './types.js';

/** Per-class results (only classes that have ground-truth boxes). */
export interface ClassMetrics {
  cls: number;
  name: string;
  /** Ground-truth boxes of this class. */
  labels: number;
  precision: number;
  recall: number;
  f1: number;
  /** AP at each IoU threshold of linspace(0.5, 0.95, 10). */
  ap: number[];
  ap50: number;
  /** True AP at IoU 0.75 (index 5): the competition's metric. */
  ap75: number;
  /** AP at IoU 0.80 (index 6): what the original prints as "mAP@.75". */
  ap80: number;
  ap50_95: number;
}

/** What an evaluation reports; the means are over the classes that have labels. */
export interface Metrics {
  images: number;
  labels: number;
  precision: number;
  recall: number;
  map50: number;
  /** mAP at IoU 0.75 (index 5 of the thresholds) — the competition's metric. */
  map75: number;
  /** mAP at IoU 0.80 (index 6): the value the original labels "mAP@.75" (seed-compat). */
  map80Seed: number;
  map50_95: number;
  classes: ClassMetrics[];
  /** Curves behind the numbers (for plots / CSV). */
  curves: ApPerClassResult;
}

/** Which value selects the best checkpoint: the true mAP@0.75 (default), the seed's (IoU 0.80), or a weighting. */
export type FitnessSpec =
  | 'map75'
  | 'map80_seed'
  | 'map50'
  | 'map50_95'
  | { precision?: number; recall?: number; map50?: number; map75?: number; map80Seed?: number; map50_95?: number };

/**
 * Model fitness (the original's `fitness`: weights over [P, R, mAP@.5, "mAP@.75", mAP@.5:.95] = [0, 0, 0, 1, 0], where
 * its "mAP@.75" is IoU 0.80). **Decision**: Vigil's default is the true mAP@0.75; `'map80_seed'` restores the original.
 */
export function fitness(m: Pick<Metrics, 'precision' | 'recall' | 'map50' | 'map75' | 'map80Seed' | 'map50_95'>, spec: FitnessSpec = 'map75'): number {
  if (spec === 'map75') return m.map75;
  if (spec === 'map80_seed') return m.map80Seed;
  if (spec === 'map50') return m.map50;
  if (spec === 'map50_95') return m.map50_95;
  return (
    (spec.precision ?? 0) * m.precision +
    (spec.recall ?? 0) * m.recall +
    (spec.map50 ?? 0) * m.map50 +
    (spec.map75 ?? 0) * m.map75 +
    (spec.map80Seed ?? 0) * m.map80Seed +
    (spec.map50_95 ?? 0) * m.map50_95
  );
}

/**
 * Metrics from accumulated match statistics, as the end of the original's `test`: `ap_per_class`, then the means of
 * P, R, AP@0.5, AP@0.75, AP@0.80 and AP@0.5:0.95 over the classes with labels. As the original, when no prediction is
 * correct at any threshold every mean is 0 (the per-class rows are still listed, all AP 0).
 */
export function computeMetrics(stats: MatchStats, names: readonly string[], images: number): Metrics {
  const res = apPerClass(stats);
  const nc = res.classes.length;
  const column = (k: number) => Float64Array.from({ length: nc }, (_, ci) => res.ap[ci * NIOU + k]!);
  const ap5095 = Float64Array.from({ length: nc }, (_, ci) => meanOverThresholds(res.ap, ci));
  let anyCorrect = false;
  for (let k = 0; k < stats.correct.length && !anyCorrect; k++) anyCorrect = stats.correct[k] !== 0;
  const classes: ClassMetrics[] = Array.from(res.classes, (c, ci) => ({
    cls: c,
    name: names[c] ?? String(c),
    labels: res.labels[ci]!,
    precision: res.p[ci]!,
    recall: res.r[ci]!,
    f1: res.f1[ci]!,
    ap: Array.from(res.ap.subarray(ci * NIOU, (ci + 1) * NIOU)),
    ap50: res.ap[ci * NIOU]!,
    ap75: res.ap[ci * NIOU + 5]!,
    ap80: res.ap[ci * NIOU + 6]!,
    ap50_95: ap5095[ci]!,
  }));
  const mean = (a: Float64Array) => (anyCorrect && nc > 0 ? meanNumpy(a) : 0);
  return {
    images,
    labels: stats.targetCls.length,
    precision: mean(res.p),
    recall: mean(res.r),
    map50: mean(column(0)),
    map75: mean(column(5)),
    map80Seed: mean(column(6)),
    map50_95: mean(ap5095),
    classes,
    curves: res,
  };
}

/** Python's `'%.3g' % v`. */
export function formatG3(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return v !== v ? 'nan' : v > 0 ? 'inf' : '-inf';
  const exp = Number(v.toExponential(2).split('e')[1]);
  if (exp < -4 || exp >= 3) {
    const [mant, e] = v.toExponential(2).split('e') as [string, string];
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = v.toFixed(Math.max(0, 2 - exp));
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * The results table like the original's (`%20s` then `%12s` columns, values `%12.3g`), with the column the original
 * calls "mAP@.75" shown as `mAP@.80(s)` next to the true `mAP@.75`. One `all` row, then one row per class with labels.
 */
export function formatMetricsTable(m: Metrics): string {
  const head = ['Images', 'Labels', 'P', 'R', 'mAP@.5', 'mAP@.75', 'mAP@.80(s)', 'mAP@.5:.95'];
  const lines = ['Class'.padStart(20) + head.map((h) => h.padStart(12)).join('')];
  const row = (name: string, labels: number, vals: number[]) =>
    name.padStart(20) + String(m.images).padStart(12) + String(labels).padStart(12) + vals.map((v) => formatG3(v).padStart(12)).join('');
  lines.push(row('all', m.labels, [m.precision, m.recall, m.map50, m.map75, m.map80Seed, m.map50_95]));
  for (const c of m.classes) lines.push(row(c.name, c.labels, [c.precision, c.recall, c.ap50, c.ap75, c.ap80, c.ap50_95]));
  lines.push('mAP@.75 = AP at IoU 0.75 (competition metric); mAP@.80(s) = what the original prints as "mAP@.75" (IoU 0.80).');
  return lines.join('\n');
}
