import type { ChartSpec } from '@vigil/core';

/** One row of results.csv: the epoch's mean training losses, validation metrics (NaN when not validated), lrs. */
export interface ResultsRow {
  epoch: number;
  box: number;
  obj: number;
  cls: number;
  total: number;
  /** targets in the epoch's last batch (the original's "labels" column) */
  labels: number;
  imgSize: number;
  precision: number;
  recall: number;
  map50: number;
  map75: number;
  map50_95: number;
  lr0: number;
  lr1: number;
  lr2: number;
}

export const RESULTS_COLUMNS: readonly (keyof ResultsRow)[] = [
  'epoch', 'box', 'obj', 'cls', 'total', 'labels', 'imgSize', 'precision', 'recall', 'map50', 'map75', 'map50_95', 'lr0', 'lr1', 'lr2',
];
const HEADER = ['epoch', 'train/box_loss', 'train/obj_loss', 'train/cls_loss', 'train/total_loss', 'labels', 'img_size',
  'metrics/precision', 'metrics/recall', 'metrics/mAP_0.5', 'metrics/mAP_0.75', 'metrics/mAP_0.5:0.95', 'x/lr0', 'x/lr1', 'x/lr2'];

/** results.csv text (full precision, so two runs compare exactly; empty cells where an epoch was not validated). */
export function resultsCsv(rows: readonly ResultsRow[]): string {
  const lines = [HEADER.join(',')];
  for (const r of rows) lines.push(RESULTS_COLUMNS.map((k) => (Number.isFinite(r[k]) ? String(r[k]) : '')).join(','));
  return lines.join('\n') + '\n';
}

/** The panels of results.png in reading order (upstream's 2×5 layout, with our columns): label and value. */
export const RESULTS_PANELS: readonly (readonly [string, keyof ResultsRow])[] = [
  ['train/box_loss', 'box'], ['train/obj_loss', 'obj'], ['train/cls_loss', 'cls'], ['train/total_loss', 'total'], ['x/lr1 (weights)', 'lr1'],
  ['metrics/precision', 'precision'], ['metrics/recall', 'recall'], ['metrics/mAP_0.5', 'map50'], ['metrics/mAP_0.75', 'map75'], ['metrics/mAP_0.5:0.95', 'map50_95'],
];

/**
 * results.png as a chart (the original's `plot_results`): one line panel per results.csv column over epochs, 5 per
 * row, each with its own y range from its data (not from 0) and integer epoch ticks; epochs without a value (not
 * validated) are left out of that panel, and a column without any value has no panel.
 */
export function resultsChart(rows: readonly ResultsRow[], title = ''): ChartSpec {
  const values: { epoch: number; panel: string; value: number }[] = [];
  for (const [panel, key] of RESULTS_PANELS) for (const r of rows) if (Number.isFinite(r[key])) values.push({ epoch: r.epoch, panel, value: r[key] });
  const epochs = rows.map((r) => r.epoch);
  const lo = epochs.length ? Math.min(...epochs) : 0;
  const hi = epochs.length ? Math.max(...epochs) : 1;
  const x = {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { domain: hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5], nice: false },
    axis: { format: 'd', tickMinStep: 1, tickCount: Math.min(6, Math.max(2, hi - lo + 1)) },
  };
  const y = { field: 'value', type: 'quantitative', title: null, scale: { zero: false, nice: true }, axis: { format: '~g', tickCount: 5 } };
  return {
    ...(title ? { title: { text: title, anchor: 'start', offset: 14 } } : {}),
    data: { values },
    facet: { field: 'panel', type: 'nominal', sort: RESULTS_PANELS.map((p) => p[0]), title: null, header: { labelFontSize: 13 } },
    columns: 5,
    spec: {
      width: 190,
      height: 140,
      layer: [
        { mark: { type: 'line', color: '#1f77b4', strokeWidth: 2 }, encoding: { x, y } },
        { mark: { type: 'point', color: '#1f77b4', filled: true, size: 20 }, encoding: { x, y } },
      ],
    },
    resolve: { scale: { y: 'independent', x: 'shared' }, axis: { x: 'independent' } },
  };
}
