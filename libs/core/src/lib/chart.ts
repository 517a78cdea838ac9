/**
 * A chart as a Vega-Lite (v6) specification: plain JSON (data inlined as `data.values`), so the libraries that
 * know the numbers (evaluator, trainer, dataset statistics) describe plots without a plotting dependency;
 * `@vigil/dataset`'s `renderChart` / `writeChart` draw them (Vega headless → SVG → PNG/JPEG).
 */
export type ChartSpec = { [key: string]: unknown };

/** matplotlib's default colour cycle (tab10), so per-class lines look like the original's plots. */
export const TAB10 = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;
