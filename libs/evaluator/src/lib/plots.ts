import type { ApPerClassResult } from './ap-per-class.js';
import { CURVE_POINTS } from './ap-per-class.js';
import type { ConfusionMatrix } from './confusion-matrix.js';
import { NIOU } from './types.js';

/**
 * The original's evaluation plots (utils/metrics.py plot_pr_curve, plot_mc_curve, ConfusionMatrix.plot) as SVG
 * documents, and their numbers as CSV/JSON. Rasterising to PNG is left to the caller (apps/predict uses resvg), so
 * this lib stays free of native dependencies.
 */

/** matplotlib's default colour cycle (tab10), so the plots look like the original's. */
const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const W = 900;
const H = 600;
const PLOT = { x: 70, y: 20, w: 560, h: 520 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, offset: number, color: string, width: number): string {
  const pts: string[] = [];
  for (let k = 0; k < xs.length; k++) {
    const x = PLOT.x + xs[k]! * PLOT.w;
    const y = PLOT.y + (1 - Math.min(1, Math.max(0, ys[offset + k]!))) * PLOT.h;
    pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  return `<polyline fill="none" stroke="${color}" stroke-width="${width}" points="${pts.join(' ')}"/>`;
}

function axes(xlabel: string, ylabel: string): string {
  const parts = [`<rect x="${PLOT.x}" y="${PLOT.y}" width="${PLOT.w}" height="${PLOT.h}" fill="none" stroke="#000"/>`];
  for (let t = 0; t <= 5; t++) {
    const v = t / 5;
    const x = PLOT.x + v * PLOT.w;
    const y = PLOT.y + (1 - v) * PLOT.h;
    parts.push(`<line x1="${x}" y1="${PLOT.y + PLOT.h}" x2="${x}" y2="${PLOT.y + PLOT.h + 5}" stroke="#000"/>`);
    parts.push(`<text x="${x}" y="${PLOT.y + PLOT.h + 20}" text-anchor="middle">${v.toFixed(1)}</text>`);
    parts.push(`<line x1="${PLOT.x - 5}" y1="${y}" x2="${PLOT.x}" y2="${y}" stroke="#000"/>`);
    parts.push(`<text x="${PLOT.x - 8}" y="${y + 4}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${PLOT.x + PLOT.w / 2}" y="${H - 15}" text-anchor="middle">${esc(xlabel)}</text>`);
  parts.push(`<text transform="translate(18 ${PLOT.y + PLOT.h / 2}) rotate(-90)" text-anchor="middle">${esc(ylabel)}</text>`);
  return parts.join('');
}

function legend(entries: { label: string; color: string; width: number }[]): string {
  const x = PLOT.x + PLOT.w + 20;
  return entries
    .map((e, i) => {
      const y = PLOT.y + 14 + i * 20;
      return `<line x1="${x}" y1="${y - 4}" x2="${x + 24}" y2="${y - 4}" stroke="${e.color}" stroke-width="${e.width}"/><text x="${x + 30}" y="${y}">${esc(e.label)}</text>`;
    })
    .join('');
}

function svg(body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">` +
    `<rect width="100%" height="100%" fill="#fff"/>${body}</svg>\n`
  );
}

/** Rows of `res` that had both labels and predictions (the ones the original draws). */
function plottedRows(res: ApPerClassResult): number[] {
  const rows: number[] = [];
  for (let ci = 0; ci < res.classes.length; ci++) {
    if (res.prCurve.subarray(ci * CURVE_POINTS, (ci + 1) * CURVE_POINTS).some((v) => v !== 0)) rows.push(ci);
  }
  return rows;
}

/** Precision–recall curve at IoU 0.5 (the original's PR_curve.png): per class with its AP@0.5, and the class mean. */
export function prCurveSvg(res: ApPerClassResult, names: readonly string[]): string {
  const rows = plottedRows(res);
  const mean = new Float64Array(CURVE_POINTS);
  for (const ci of rows) for (let k = 0; k < CURVE_POINTS; k++) mean[k]! += res.prCurve[ci * CURVE_POINTS + k]! / rows.length;
  const map50 = res.classes.length ? Array.from(res.classes, (_, ci) => res.ap[ci * NIOU]!).reduce((a, b) => a + b, 0) / res.classes.length : 0;
  const lines = rows.map((ci, i) => polyline(res.px, res.prCurve, ci * CURVE_POINTS, TAB10[i % 10]!, 1));
  const entries = rows.map((ci, i) => ({ label: `${names[res.classes[ci]!] ?? res.classes[ci]} ${res.ap[ci * NIOU]!.toFixed(3)}`, color: TAB10[i % 10]!, width: 1 }));
  entries.push({ label: `all classes ${map50.toFixed(3)} mAP@0.5`, color: 'blue', width: 3 });
  return svg(axes('Recall', 'Precision') + lines.join('') + (rows.length ? polyline(res.px, mean, 0, 'blue', 3) : '') + legend(entries));
}

/** A metric against confidence (the original's F1_curve / P_curve / R_curve.png). */
export function metricCurveSvg(res: ApPerClassResult, names: readonly string[], metric: 'F1' | 'Precision' | 'Recall'): string {
  const curve = metric === 'F1' ? res.f1Curve : metric === 'Precision' ? res.pCurve : res.rCurve;
  const nc = res.classes.length;
  const mean = new Float64Array(CURVE_POINTS);
  for (let ci = 0; ci < nc; ci++) for (let k = 0; k < CURVE_POINTS; k++) mean[k]! += curve[ci * CURVE_POINTS + k]!;
  let best = 0;
  for (let k = 0; k < CURVE_POINTS; k++) {
    mean[k] = nc ? mean[k]! / nc : 0;
    if (mean[k]! > mean[best]!) best = k;
  }
  const lines = Array.from(res.classes, (_, ci) => polyline(res.px, curve, ci * CURVE_POINTS, TAB10[ci % 10]!, 1));
  const entries = Array.from(res.classes, (c, ci) => ({ label: names[c] ?? String(c), color: TAB10[ci % 10]!, width: 1 }));
  entries.push({ label: `all classes ${mean[best]!.toFixed(2)} at ${res.px[best]!.toFixed(3)}`, color: 'blue', width: 3 });
  return svg(axes('Confidence', metric) + lines.join('') + polyline(res.px, mean, 0, 'blue', 3) + legend(entries));
}

/** The confusion matrix as the original plots it: column-normalised, cells < 0.005 left blank, Blues colour map. */
export function confusionMatrixSvg(cm: ConfusionMatrix, names: readonly string[]): string {
  const n1 = cm.nc + 1;
  const a = cm.normalized();
  const size = Math.min(60, Math.floor(480 / n1));
  const x0 = 150;
  const y0 = 20;
  const ticks = [...names.slice(0, cm.nc), 'background FP'];
  const yticks = [...names.slice(0, cm.nc), 'background FN'];
  const parts: string[] = [];
  for (let r = 0; r < n1; r++) {
    for (let c = 0; c < n1; c++) {
      const v = a[r * n1 + c]!;
      const x = x0 + c * size;
      const y = y0 + r * size;
      if (v >= 0.005) {
        // Blues: white → #08306b
        const t = Math.min(1, v);
        const col = [247 + (8 - 247) * t, 251 + (48 - 251) * t, 255 + (107 - 255) * t].map((u) => Math.round(u));
        parts.push(`<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="rgb(${col.join(',')})"/>`);
        parts.push(`<text x="${x + size / 2}" y="${y + size / 2 + 4}" text-anchor="middle" fill="${t > 0.5 ? '#fff' : '#000'}" font-size="10">${v.toFixed(2)}</text>`);
      } else {
        parts.push(`<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="#fff"/>`);
      }
    }
  }
  for (let k = 0; k < n1; k++) {
    const cx = x0 + k * size + size / 2;
    const bottom = y0 + n1 * size + 10;
    parts.push(`<text transform="translate(${cx} ${bottom}) rotate(45)" font-size="11">${esc(ticks[k]!)}</text>`);
    parts.push(`<text x="${x0 - 6}" y="${y0 + k * size + size / 2 + 4}" text-anchor="end" font-size="11">${esc(yticks[k]!)}</text>`);
  }
  parts.push(`<rect x="${x0}" y="${y0}" width="${n1 * size}" height="${n1 * size}" fill="none" stroke="#000"/>`);
  parts.push(`<text x="${x0 + (n1 * size) / 2}" y="${H - 10}" text-anchor="middle">True</text>`);
  parts.push(`<text transform="translate(18 ${y0 + (n1 * size) / 2}) rotate(-90)" text-anchor="middle">Predicted</text>`);
  return svg(parts.join(''));
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

/** Every plot of an evaluation as `file name → SVG text` (PR, F1, P, R curves and the confusion matrix). */
export function evaluationPlots(res: ApPerClassResult, names: readonly string[], cm?: ConfusionMatrix): Record<string, string> {
  const out: Record<string, string> = {
    PR_curve: prCurveSvg(res, names),
    F1_curve: metricCurveSvg(res, names, 'F1'),
    P_curve: metricCurveSvg(res, names, 'Precision'),
    R_curve: metricCurveSvg(res, names, 'Recall'),
  };
  if (cm) out['confusion_matrix'] = confusionMatrixSvg(cm, names);
  return out;
}
