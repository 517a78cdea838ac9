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

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * results.png as SVG (the original's `plot_results`: a 2×5 grid of curves over epochs): box, obj, cls, total loss,
 * precision, recall, mAP@0.5, mAP@0.75, mAP@0.5:0.95, lr. Points without a value are skipped.
 */
export function resultsSvg(rows: readonly ResultsRow[], title = ''): string {
  const panels: [string, (r: ResultsRow) => number][] = [
    ['Box', (r) => r.box], ['Objectness', (r) => r.obj], ['Classification', (r) => r.cls], ['Total loss', (r) => r.total],
    ['lr (weights)', (r) => r.lr1], ['Precision', (r) => r.precision], ['Recall', (r) => r.recall], ['mAP@0.5', (r) => r.map50],
    ['mAP@0.75', (r) => r.map75], ['mAP@0.5:0.95', (r) => r.map50_95],
  ];
  const pw = 240;
  const ph = 180;
  const W = pw * 5;
  const H = ph * 2 + 30;
  const parts: string[] = [];
  panels.forEach(([name, get], p) => {
    const ox = (p % 5) * pw;
    const oy = 30 + Math.floor(p / 5) * ph;
    const pts = rows.map((r) => [r.epoch, get(r)] as const).filter(([, v]) => Number.isFinite(v));
    const x0 = 40 + ox;
    const y0 = oy + 25;
    const w = pw - 55;
    const h = ph - 55;
    parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
    parts.push(`<text x="${ox + pw / 2}" y="${oy + 18}" text-anchor="middle" font-size="13">${esc(name)}</text>`);
    if (pts.length === 0) return;
    const ex = [Math.min(...pts.map((q) => q[0])), Math.max(...pts.map((q) => q[0]))];
    let lo = Math.min(...pts.map((q) => q[1]));
    let hi = Math.max(...pts.map((q) => q[1]));
    if (hi === lo) [lo, hi] = [lo - 0.5 * (Math.abs(lo) || 1), hi + 0.5 * (Math.abs(hi) || 1)];
    const sx = (e: number) => x0 + (ex[1] === ex[0] ? w / 2 : ((e - ex[0]!) / (ex[1]! - ex[0]!)) * w);
    const sy = (v: number) => y0 + h - ((v - lo) / (hi - lo)) * h;
    const poly = pts.map(([e, v]) => `${sx(e).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${poly}"/>`);
    for (const [e, v] of pts) parts.push(`<circle cx="${sx(e).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="2.5" fill="#1f77b4"/>`);
    parts.push(`<text x="${x0 - 3}" y="${y0 + 9}" text-anchor="end" font-size="9">${hi.toPrecision(3)}</text>`);
    parts.push(`<text x="${x0 - 3}" y="${y0 + h}" text-anchor="end" font-size="9">${lo.toPrecision(3)}</text>`);
    parts.push(`<text x="${x0}" y="${y0 + h + 13}" font-size="9">${ex[0]}</text>`);
    parts.push(`<text x="${x0 + w}" y="${y0 + h + 13}" text-anchor="end" font-size="9">epoch ${ex[1]}</text>`);
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff"/><text x="${W / 2}" y="20" text-anchor="middle" font-size="15">${esc(title)}</text>${parts.join('')}</svg>\n`
  );
}

/** labels.png as SVG (the class histogram of the original's `plot_labels`): instances per class of the training set. */
export function labelsHistogramSvg(counts: readonly number[], names: readonly string[]): string {
  const W = 640;
  const H = 400;
  const x0 = 60;
  const y0 = 30;
  const w = W - 80;
  const h = H - 130;
  const max = Math.max(1, ...counts);
  const bw = w / Math.max(1, counts.length);
  const parts = [`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#888"/>`];
  counts.forEach((c, i) => {
    const bh = (c / max) * h;
    const x = x0 + i * bw;
    parts.push(`<rect x="${(x + bw * 0.1).toFixed(1)}" y="${(y0 + h - bh).toFixed(1)}" width="${(bw * 0.8).toFixed(1)}" height="${bh.toFixed(1)}" fill="#1f77b4"/>`);
    parts.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(y0 + h - bh - 4).toFixed(1)}" text-anchor="middle" font-size="11">${c}</text>`);
    parts.push(`<text transform="translate(${(x + bw / 2).toFixed(1)} ${y0 + h + 12}) rotate(45)" font-size="12">${esc(names[i] ?? String(i))}</text>`);
  });
  parts.push(`<text transform="translate(18 ${y0 + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">instances</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">` +
    `<rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`
  );
}
