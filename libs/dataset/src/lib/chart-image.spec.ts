import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { renderChart, svgToPng, writeChart } from './chart-image.js';
import { labelsChart } from './labels-chart.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-chart-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Decoded RGB pixels of a PNG/JPEG and the share of pixels that are not (near) white in a region. */
async function pixels(bytes: Buffer) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const inked = (x0: number, y0: number, x1: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (data[(y * info.width + x) * 3]! < 200) n++;
    return n / ((x1 - x0) * (y1 - y0));
  };
  return { width: info.width, height: info.height, inked };
}

describe('charts to images', () => {
  it('renders a Vega-Lite chart headless; text is drawn with the shipped font (no system fonts loaded)', async () => {
    const spec = { title: 'WWWWWWWW', width: 200, height: 100, data: { values: [{ x: 0, y: 1 }, { x: 1, y: 3 }] }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } };
    const svg = await renderChart(spec);
    expect(svg).toMatch(/^<svg [^>]*>/);
    expect(svg).toContain('font-family="DejaVu Sans"');
    const png = await svgToPng(svg, 1);
    const p = await pixels(png);
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    expect([p.width, p.height]).toEqual([w, h]);
    // the title (top 20 px, centred over the plot): ink only if glyphs were found
    expect(p.inked(40, 0, w! - 40, 20)).toBeGreaterThan(0.05);
    expect(p.inked(0, 0, w!, h!)).toBeLessThan(0.5);
  });

  it('writes PNG and JPEG by extension and refuses others', async () => {
    const spec = { width: 50, height: 50, data: { values: [{ a: 'x', n: 2 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'n', type: 'quantitative' } } };
    await writeChart(join(tmp, 'c.png'), spec);
    await writeChart(join(tmp, 'c.jpg'), spec);
    expect((await sharp(readFileSync(join(tmp, 'c.png'))).metadata()).format).toBe('png');
    expect((await sharp(readFileSync(join(tmp, 'c.jpg'))).metadata()).format).toBe('jpeg');
    await expect(writeChart(join(tmp, 'c.gif'), spec)).rejects.toThrow(/\.png, \.jpg or \.svg/);
  });

  it('labels chart: four non-blank panels from YOLO label rows; ids outside the names are ignored', async () => {
    const labels = [Float32Array.of(0, 0.5, 0.5, 0.2, 0.4, 1, 0.25, 0.75, 0.1, 0.1), Float32Array.of(1, 0.9, 0.1, 0.3, 0.3, 5, 0.5, 0.5, 0.5, 0.5), new Float32Array(0)];
    const spec = labelsChart(labels, ['cat', 'dog']);
    const panels = (spec['vconcat'] as { hconcat: { title: string; data: { values: Record<string, unknown>[] } }[] }[]).flatMap((r) => r.hconcat);
    expect(panels.map((p) => p.title)).toEqual(['instances per class (3 boxes)', 'box shapes (first 3, centred)', 'box centres', 'box sizes']);
    expect(panels[0]!.data.values).toEqual([{ name: 'cat', count: 1 }, { name: 'dog', count: 2 }]);
    expect(panels[2]!.data.values.reduce((a, v) => a + (v['n'] as number), 0)).toBe(3);
    await writeChart(join(tmp, 'labels.jpg'), spec);
    const p = await pixels(readFileSync(join(tmp, 'labels.jpg')));
    expect(p.width).toBeGreaterThan(500);
    expect(p.height).toBeGreaterThan(500);
    // every quadrant has ink (bars, outlines, histogram cells, axes)
    for (const [qx, qy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      expect(p.inked((qx! * p.width) / 2, (qy! * p.height) / 2, ((qx! + 1) * p.width) / 2, ((qy! + 1) * p.height) / 2)).toBeGreaterThan(0.005);
    }
  });
});
