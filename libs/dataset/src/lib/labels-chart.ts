import type { ChartSpec } from '@vigil/core';
import { PLOT_PALETTE } from './plot-batch.js';

/** Bins per axis of the two 2-D histograms (upstream's seaborn `histplot(bins=50)`). */
const BINS = 50;
/** Box outlines drawn at most (upstream draws the first 1000). */
const MAX_OUTLINES = 1000;
const SIDE = 260;

/** `[BINS×BINS]` counts of (a, b) pairs in [0, 1]² as chart rows (empty cells left out). */
function hist2d(pairs: Float64Array, keyA: string, keyB: string): Record<string, number>[] {
  const counts = new Uint32Array(BINS * BINS);
  for (let k = 0; k < pairs.length; k += 2) {
    const i = Math.min(BINS - 1, Math.max(0, Math.floor(pairs[k]! * BINS)));
    const j = Math.min(BINS - 1, Math.max(0, Math.floor(pairs[k + 1]! * BINS)));
    counts[i * BINS + j]!++;
  }
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < BINS; i++) {
    for (let j = 0; j < BINS; j++) {
      const n = counts[i * BINS + j]!;
      if (n) rows.push({ [keyA]: i / BINS, [`${keyA}2`]: (i + 1) / BINS, [keyB]: j / BINS, [`${keyB}2`]: (j + 1) / BINS, n });
    }
  }
  return rows;
}

function histPanel(title: string, rows: Record<string, number>[], a: string, b: string): ChartSpec {
  const unit = { domain: [0, 1], nice: false };
  return {
    title,
    width: SIDE,
    height: SIDE,
    data: { values: rows },
    mark: { type: 'rect' },
    encoding: {
      x: { field: a, type: 'quantitative', title: a, scale: unit, axis: { tickCount: 5 } },
      x2: { field: `${a}2` },
      y: { field: b, type: 'quantitative', title: b, scale: unit, axis: { tickCount: 5 } },
      y2: { field: `${b}2` },
      color: { field: 'n', type: 'quantitative', title: 'boxes', scale: { scheme: 'blues', type: 'sqrt', domainMin: 0 } },
    },
  };
}

/**
 * labels.jpg as a chart: the four panels of upstream YOLOv5's `plot_labels` over a training set's labels —
 * instances per class (bars in the class colours), the first 1000 boxes drawn as outlines around a common centre
 * (their sizes and aspect ratios), and 2-D histograms of the box centres (x, y) and sizes (width, height).
 * `labels` holds per image `[n,5]` rows `class cx cy w h` (normalised 0–1, as YOLO label files); class ids outside
 * `names` are ignored. The statistics are computed here, so the chart's data stays small for any dataset size.
 */
export function labelsChart(labels: readonly ArrayLike<number>[], names: readonly string[]): ChartSpec {
  const nc = names.length;
  const counts = new Array<number>(nc).fill(0);
  let n = 0;
  for (const l of labels) for (let k = 0; k + 5 <= l.length; k += 5) if (l[k]! >= 0 && l[k]! < nc) n++;
  const xy = new Float64Array(n * 2);
  const wh = new Float64Array(n * 2);
  const outlines: { c: string; x: number; x2: number; y: number; y2: number }[] = [];
  let m = 0;
  for (const l of labels) {
    for (let k = 0; k + 5 <= l.length; k += 5) {
      const c = l[k]!;
      if (!(c >= 0 && c < nc)) continue;
      counts[c]!++;
      xy[2 * m] = l[k + 1]!;
      xy[2 * m + 1] = l[k + 2]!;
      wh[2 * m] = l[k + 3]!;
      wh[2 * m + 1] = l[k + 4]!;
      if (outlines.length < MAX_OUTLINES) {
        const [w, h] = [Math.min(1, l[k + 3]!), Math.min(1, l[k + 4]!)];
        outlines.push({ c: names[c]!, x: 0.5 - w / 2, x2: 0.5 + w / 2, y: 0.5 - h / 2, y2: 0.5 + h / 2 });
      }
      m++;
    }
  }
  const colors = names.map((_, i) => `#${PLOT_PALETTE[i % PLOT_PALETTE.length]}`);
  const classScale = { domain: [...names], range: colors };
  const unit = { domain: [0, 1], nice: false };
  const bars: ChartSpec = {
    title: `instances per class (${n} boxes)`,
    width: SIDE,
    height: SIDE,
    data: { values: names.map((name, i) => ({ name, count: counts[i]! })) },
    layer: [
      { mark: { type: 'bar' }, encoding: { x: { field: 'name', type: 'nominal', title: null, sort: [...names], axis: { labelAngle: nc > 6 ? -90 : -45, grid: false } }, y: { field: 'count', type: 'quantitative', title: 'instances', axis: { format: '~s' } }, color: { field: 'name', type: 'nominal', scale: classScale, legend: null } } },
      { mark: { type: 'text', dy: -6, fontSize: 10 }, encoding: { x: { field: 'name', type: 'nominal', sort: [...names] }, y: { field: 'count', type: 'quantitative' }, text: { field: 'count', type: 'quantitative' } } },
    ],
  };
  const boxes: ChartSpec = {
    title: `box shapes (first ${outlines.length}, centred)`,
    width: SIDE,
    height: SIDE,
    data: { values: outlines },
    mark: { type: 'rect', filled: false, strokeWidth: 1, opacity: 0.35 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: null, scale: unit, axis: null },
      x2: { field: 'x2' },
      y: { field: 'y', type: 'quantitative', title: null, scale: unit, axis: null },
      y2: { field: 'y2' },
      stroke: { field: 'c', type: 'nominal', scale: classScale, legend: null },
    },
  };
  return {
    vconcat: [
      { hconcat: [bars, boxes] },
      { hconcat: [histPanel('box centres', hist2d(xy, 'x', 'y'), 'x', 'y'), histPanel('box sizes', hist2d(wh, 'width', 'height'), 'width', 'height')] },
    ],
    spacing: 30,
    config: { concat: { spacing: 40 } },
  };
}
