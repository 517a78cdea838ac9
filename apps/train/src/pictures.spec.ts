import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadImage, readImageMeta, writeChart } from '@vigil/dataset';
import { RESULTS_PANELS, resultsChart, type ResultsRow } from '@vigil/trainer';
import { specsDir } from '@vigil/yolov5';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-pictures-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Width, height and a measure of ink per region of a PNG/JPEG file. */
async function picture(file: string) {
  const meta = await readImageMeta(file);
  const { image } = await loadImage(file, Math.max(meta.width, meta.height)); // RGB at its own size
  const info = image;
  const data = image.data;
  const count = (x0: number, y0: number, x1: number, y1: number, test: (r: number, g: number, b: number) => boolean) => {
    let n = 0;
    for (let y = Math.floor(y0); y < y1; y++) for (let x = Math.floor(x0); x < x1; x++) {
      const o = (y * info.width + x) * 3;
      if (test(data[o]!, data[o + 1]!, data[o + 2]!)) n++;
    }
    return n;
  };
  return { width: info.width, height: info.height, count };
}

/** The plot line colour of results.png (tab10 blue #1f77b4), with JPEG/antialiasing slack. */
const lineBlue = (r: number, g: number, b: number) => Math.abs(r - 31) < 40 && Math.abs(g - 119) < 40 && Math.abs(b - 180) < 40;

describe('results.png', () => {
  it('every panel of the 2×5 grid has its line; each series has one point per epoch with a value', async () => {
    const rows: ResultsRow[] = Array.from({ length: 8 }, (_, e) => ({
      epoch: e, box: 0.1 / (1 + e), obj: 0.05 - e * 0.002, cls: 0.02 + (e % 3) * 0.001, total: 0.2 - e * 0.01, labels: 9, imgSize: 64,
      precision: 0.3 + e * 0.05, recall: 0.2 + e * 0.04, map50: 0.397 + e * 0.1, map75: 0.1 * e, map50_95: 0.05 * e, lr0: 0.01, lr1: 0.01 - e * 0.001, lr2: 0.01,
    }));
    const spec = resultsChart(rows);
    const values = (spec['data'] as { values: { panel: string; epoch: number }[] }).values;
    for (const [panel] of RESULTS_PANELS) expect(values.filter((v) => v.panel === panel).map((v) => v.epoch)).toEqual(rows.map((r) => r.epoch));
    const file = join(tmp, 'results.png');
    await writeChart(file, spec);
    const p = await picture(file);
    expect(p.width).toBeGreaterThan(1000);
    // each of the ten grid cells holds a line in the plot colour (an empty panel would be axes only)
    for (let k = 0; k < 10; k++) {
      const [cx, cy] = [k % 5, Math.floor(k / 5)];
      const n = p.count((cx * p.width) / 5, (cy * p.height) / 2, ((cx + 1) * p.width) / 5, ((cy + 1) * p.height) / 2, lineBlue);
      expect(n, `panel ${RESULTS_PANELS[k]![0]}`).toBeGreaterThan(100);
    }
  });
});

/** Every file under `dir` (relative paths), for a run folder whatever its layout. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

describe('a tiny --data run writes the pictures people look at', () => {
  it('results.csv has every epoch validated; results.png, labels.jpg, val_batch labels/pred, curves and confusion matrix read back', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    // 8 training and 4 validation images of the photographed sample, listed in .txt files
    const pets = fileURLToPath(new URL('../../../data-samples/getty-pets/', import.meta.url));
    const pick = (split: string, n: number) => readdirSync(join(pets, 'images', split)).sort().slice(0, n).map((f) => join(pets, 'images', split, f));
    writeFileSync(join(tmp, 'train.txt'), pick('train', 8).join('\n') + '\n');
    writeFileSync(join(tmp, 'val.txt'), pick('val', 4).join('\n') + '\n');
    const yaml = join(tmp, 'data.yaml');
    writeFileSync(yaml, 'train: train.txt\nval: val.txt\nnames: [cat, acanthus, allium]\n');
    const cfg = join(tmp, 'tiny.yaml');
    writeFileSync(cfg, readFileSync(join(specsDir(), 'yolov5n6.yaml'), 'utf8').replace(/width_multiple: [0-9.]+/, 'width_multiple: 0.0625'));
    const project = join(tmp, 'runs');
    const r = spawnSync(
      process.execPath,
      ['--conditions=@vigil/source', '--import', 'tsx', main, '--data', yaml, '--cfg', cfg, '--img', '64', '--batch', '4', '--epochs', '2', '--project', project,
        '--workers', '1', '--warmup-min-iters', '2', '--nbs', '4', '--noautoanchor'],
      { encoding: 'utf8', env: { ...process.env, VIGIL_BACKEND: 'cpu' } },
    );
    expect(r.status, r.stderr).toBe(0);
    const files = filesUnder(project);
    const find = (name: string) => {
      const f = files.find((x) => x.endsWith(name));
      expect(f, `${name} in ${files.join(', ')}`).toBeDefined();
      return join(project, f!);
    };
    const csv = readFileSync(find('results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3); // header + 2 epochs, both validated (--data validates every epoch)
    const col = csv[0]!.split(',').indexOf('metrics/mAP_0.5');
    expect(csv.slice(1).map((l) => l.split(',')[col])).not.toContain('');
    const run = dirname(find('results.csv'));
    for (const name of ['results.png', 'labels.jpg', 'val_batch0_labels.jpg', 'val_batch0_pred.jpg', 'PR_curve.png', 'F1_curve.png', 'P_curve.png', 'R_curve.png', 'confusion_matrix.png']) {
      const p = await picture(join(run, name));
      expect(p.width, name).toBeGreaterThan(200);
      expect(p.height, name).toBeGreaterThan(200);
      const dark = p.count(0, 0, p.width, p.height, (a, b, c) => a + b + c < 600);
      expect(dark / (p.width * p.height), name).toBeGreaterThan(0.002); // not blank
    }
    // ground truth vs predictions: the same images, different boxes
    expect(readFileSync(join(run, 'val_batch0_labels.jpg'))).not.toEqual(readFileSync(join(run, 'val_batch0_pred.jpg')));
  }, 300_000);
});
