import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import type { ChartSpec } from '@vigil/core';

/**
 * Charts and SVG overlays to pixels. Vega-Lite specs are compiled and rendered headless by Vega (`View.toSVG()`
 * needs no canvas), SVG is rasterised by resvg with the DejaVu Sans files of the `dejavu-fonts-ttf` package (no
 * system fonts needed: text renders on a bare Debian too), JPEG by sharp.
 */

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
/** The font files resvg loads (regular, bold, oblique): the only fonts the pictures use. */
export const CHART_FONT_FILES: readonly string[] = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(FONT_DIR, f));
export const CHART_FONT = 'DejaVu Sans';

/** The look every chart shares (matplotlib-like: white, framed panels, DejaVu Sans). */
const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: '#444' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee', domainColor: '#444', tickColor: '#444' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  title: { fontSize: 14, fontWeight: 'normal' },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** Renders a Vega-Lite spec to an SVG document (the spec's own `config` wins over the shared look). */
export async function renderChart(spec: ChartSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const own = (spec['config'] ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = { ...CHART_CONFIG, ...own };
  for (const k of ['axis', 'legend', 'title', 'header', 'view'] as const) config[k] = { ...CHART_CONFIG[k], ...(own[k] as object | undefined) };
  const compiled = vl.compile({ ...spec, config } as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG document to PNG bytes (resvg, the shipped DejaVu Sans; `scale` 1.5 by default). */
export async function svgToPng(svg: string, scale = 1.5): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: false, fontFiles: [...CHART_FONT_FILES], defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  });
  return r.render().asPng();
}

/** Writes an SVG document as `.png`, `.jpg` / `.jpeg` (quality 90) or `.svg`, chosen by the file's extension. */
export async function writeSvgImage(file: string, svg: string, scale = 1.5): Promise<void> {
  const ext = extname(file).toLowerCase();
  if (ext === '.svg') return writeFile(file, svg);
  const png = await svgToPng(svg, scale);
  if (ext === '.png') return writeFile(file, png);
  if (ext === '.jpg' || ext === '.jpeg') return writeFile(file, await sharp(png).flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer());
  throw new RangeError(`${file}: an image is written as .png, .jpg or .svg`);
}

/** {@link renderChart} written as an image (format from the extension, as {@link writeSvgImage}). */
export async function writeChart(file: string, spec: ChartSpec, scale = 1.5): Promise<void> {
  await writeSvgImage(file, await renderChart(spec), scale);
}
