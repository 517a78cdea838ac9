import { TAB10, type ChartSpec } from '@vigil/core';
import type { ApPerClassResult } from './ap-per-class.js';
import { CURVE_POINTS } from './ap-per-class.js';
import type { ConfusionMatrix } from './confusion-matrix.js';
import { NIOU } from './types.js';

/**
 * The original's evaluation plots (utils/metrics.py plot_pr_curve, plot_mc_curve, ConfusionMatrix.plot) as Vega-Lite
 * specs ({@link ChartSpec}: plain JSON with the data inlined), and their numbers as CSV/JSON. Drawing them is left to
 * the caller (`@vigil/dataset`'s `writeChart`), so this lib stays free of plotting and native dependencies.
 */

const CURVE_SIZE = { width: 520, height: 420 };

/** Rows of `res` that had both labels and predictions (the ones the original draws). */
function plottedRows(res: ApPerClassResult): number[] {
  const rows: number[] = [];
  for (let ci = 0; ci < res.classes.length; ci++) {
    if (res.prCurve.subarray(ci * CURVE_POINTS, (ci + 1) * CURVE_POINTS).some((v) => v !== 0)) rows.push(ci);
  }
  return rows;
}

/** One line of a curve chart: `y[offset + k]` against `x[k]`. */
interface CurveLine {
  label: string;
  y: ArrayLike<number>;
  offset: number;
  color: string;
  width: number;
}

/**
 * A chart of lines on the unit square (the original's 9×6 curve figures): per-class thin lines in tab10 (grey and
 * without legend entries above 20 classes), the class mean thick blue, legend on the right in line order. Points are thinned to every 4th of the 1000-point grid (the
 * curves are piecewise linear on it), keeping the last.
 */
function unitCurveChart(x: ArrayLike<number>, lines: readonly CurveLine[], xTitle: string, yTitle: string): ChartSpec {
  const values: { x: number; y: number; s: string; w: number }[] = [];
  for (const l of lines) {
    for (let k = 0; k < x.length; k++) {
      if (k % 4 !== 0 && k !== x.length - 1) continue;
      values.push({ x: x[k]!, y: Math.min(1, Math.max(0, l.y[l.offset + k]!)), s: l.label, w: l.width });
    }
  }
  const unit = { domain: [0, 1], nice: false };
  // as the original: a legend entry per class only below 21 classes; with more, the class lines are grey
  const many = lines.length - 1 > 20;
  const range = lines.map((l, i) => (many && i < lines.length - 1 ? '#808080' : l.color));
  const legend = { orient: 'right', symbolType: 'stroke', symbolStrokeWidth: 3, ...(many ? { values: [lines.at(-1)!.label] } : {}) };
  return {
    ...CURVE_SIZE,
    data: { values },
    mark: { type: 'line', clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, scale: unit, axis: { tickCount: 5 } },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: unit, axis: { tickCount: 5 } },
      color: { field: 's', type: 'nominal', title: null, scale: { domain: lines.map((l) => l.label), range }, legend },
      strokeWidth: { field: 'w', type: 'quantitative', scale: null, legend: null },
      order: { field: 'x', type: 'quantitative' },
    },
  };
}

/** Precision–recall curve at IoU 0.5 (the original's PR_curve.png): per class with its AP@0.5, and the class mean. */
export function prCurveChart(res: ApPerClassResult, names: readonly string[]): ChartSpec {
  const rows = plottedRows(res);
  const mean = new Float64Array(CURVE_POINTS);
  for (const ci of rows) for (let k = 0; k < CURVE_POINTS; k++) mean[k]! += res.prCurve[ci * CURVE_POINTS + k]! / rows.length;
  const map50 = res.classes.length ? Array.from(res.classes, (_, ci) => res.ap[ci * NIOU]!).reduce((a, b) => a + b, 0) / res.classes.length : 0;
  const lines: CurveLine[] = rows.map((ci, i) => ({ label: `${names[res.classes[ci]!] ?? res.classes[ci]} ${res.ap[ci * NIOU]!.toFixed(3)}`, y: res.prCurve, offset: ci * CURVE_POINTS, color: TAB10[i % 10]!, width: 1 }));
  lines.push({ label: `all classes ${map50.toFixed(3)} mAP@0.5`, y: rows.length ? mean : new Float64Array(CURVE_POINTS), offset: 0, color: 'blue', width: 3 });
  return unitCurveChart(res.px, lines, 'Recall', 'Precision');
}

/** A metric against confidence (the original's F1_curve / P_curve / R_curve.png). */
export function metricCurveChart(res: ApPerClassResult, names: readonly string[], metric: 'F1' | 'Precision' | 'Recall'): ChartSpec {
  const curve = metric === 'F1' ? res.f1Curve : metric === 'Precision' ? res.pCurve : res.rCurve;
  const nc = res.classes.length;
  const mean = new Float64Array(CURVE_POINTS);
  for (let ci = 0; ci < nc; ci++) for (let k = 0; k < CURVE_POINTS; k++) mean[k]! += curve[ci * CURVE_POINTS + k]!;
  let best = 0;
  for (let k = 0; k < CURVE_POINTS; k++) {
    mean[k] = nc ? mean[k]! / nc : 0;
    if (mean[k]! > mean[best]!) best = k;
  }
  const lines: CurveLine[] = Array.from(res.classes, (c, ci) => ({ label: names[c] ?? String(c), y: curve, offset: ci * CURVE_POINTS, color: TAB10[ci % 10]!, width: 1 }));
  lines.push({ label: `all classes ${mean[best]!.toFixed(2)} at ${res.px[best]!.toFixed(3)}`, y: mean, offset: 0, color: 'blue', width: 3 });
  return unitCurveChart(res.px, lines, 'Confidence', metric);
}

/**
 * The confusion matrix as the original plots it (seaborn heatmap): column-normalised (each true class sums to 1),
 * cells < 0.005 left blank, the Blues colour scale with its legend, the value in each cell (up to 30 classes), rows
 * = predicted, columns = true, with the background row / column.
 */
export function confusionMatrixChart(cm: ConfusionMatrix, names: readonly string[]): ChartSpec {
  const n1 = cm.nc + 1;
  const a = cm.normalized();
  const xs = [...names.slice(0, cm.nc), 'background FP'];
  const ys = [...names.slice(0, cm.nc), 'background FN'];
  const values: { t: string; p: string; v: number }[] = [];
  for (let r = 0; r < n1; r++) for (let c = 0; c < n1; c++) if (a[r * n1 + c]! >= 0.005) values.push({ p: ys[r]!, t: xs[c]!, v: a[r * n1 + c]! });
  const cell = Math.max(18, Math.min(60, Math.floor(520 / n1)));
  const axes = {
    x: { field: 't', type: 'ordinal', title: 'True', scale: { domain: xs }, axis: { labelAngle: -45, grid: false } },
    y: { field: 'p', type: 'ordinal', title: 'Predicted', scale: { domain: ys }, axis: { grid: false } },
  };
  const layers: ChartSpec[] = [
    { mark: { type: 'rect' }, encoding: { ...axes, color: { field: 'v', type: 'quantitative', title: null, scale: { scheme: 'blues', domain: [0, 1] }, legend: { gradientLength: cell * n1, format: '.1f' } } } },
  ];
  if (cm.nc < 30) {
    layers.push({
      mark: { type: 'text', fontSize: Math.min(12, Math.max(7, cell / 4)) },
      encoding: { ...axes, text: { field: 'v', type: 'quantitative', format: '.2f' }, color: { condition: { test: 'datum.v > 0.5', value: 'white' }, value: 'black' } },
    });
  }
  return { width: cell * n1, height: cell * n1, data: { values }, layer: layers, config: { view: { stroke: '#444' } } };
}

/**
 * The curves as CSV: one row per grid point `x` (confidence for P/R/F1, recall for PR), columns
 * `<class>_P, <class>_R, <class>_F1, <class>_PR` for every class with labels.
 */
export function curvesCsv(res: ApPerClassResult, names: readonly string[]): string {
  const cls = Array.from(res.classes, (c) => names[c] ?? String(c));
  const header = ['x', ...cls.flatMap((n) => [`${n}_P`, `${n}_R`, `${n}_F1`, `${n}_PR`])];
  const lines = [header.join(',')];
  for (let k = 0; k < CURVE_POINTS; k++) {
    const row = [String(res.px[k])];
    for (let ci = 0; ci < cls.length; ci++) {
      const o = ci * CURVE_POINTS + k;
      row.push(String(res.pCurve[o]), String(res.rCurve[o]), String(res.f1Curve[o]), String(res.prCurve[o]));
    }
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** The curves and per-class AP as a JSON-serialisable object. */
export function curvesJson(res: ApPerClassResult, names: readonly string[]): Record<string, unknown> {
  const slice = (a: Float64Array, ci: number) => Array.from(a.subarray(ci * CURVE_POINTS, (ci + 1) * CURVE_POINTS));
  return {
    x: Array.from(res.px),
    bestIndex: res.bestIndex,
    classes: Array.from(res.classes, (c, ci) => ({
      name: names[c] ?? String(c),
      labels: res.labels[ci],
      ap: Array.from(res.ap.subarray(ci * NIOU, (ci + 1) * NIOU)),
      precision: slice(res.pCurve, ci),
      recall: slice(res.rCurve, ci),
      f1: slice(res.f1Curve, ci),
      prPrecision: slice(res.prCurve, ci),
    })),
  };
}

/** Every plot of an evaluation as `file name → chart` (PR, F1, P, R curves and the confusion matrix). */
export function evaluationPlots(res: ApPerClassResult, names: readonly string[], cm?: ConfusionMatrix): Record<string, ChartSpec> {
  const out: Record<string, ChartSpec> = {
    PR_curve: prCurveChart(res, names),
    F1_curve: metricCurveChart(res, names, 'F1'),
    P_curve: metricCurveChart(res, names, 'Precision'),
    R_curve: metricCurveChart(res, names, 'Recall'),
  };
  if (cm) out['confusion_matrix'] = confusionMatrixChart(cm, names);
  return out;
}
