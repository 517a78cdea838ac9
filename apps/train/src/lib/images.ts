import { writeFileSync } from 'node:fs';

/** Rasterises an SVG document to a PNG file with resvg (system fonts), as apps/predict does. */
export async function writeSvgAsPng(file: string, svg: string): Promise<void> {
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  writeFileSync(file, png);
}
