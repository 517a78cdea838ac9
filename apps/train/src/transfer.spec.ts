import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint, specsDir } from '@vigil/yolov5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_BACKEND: 'cpu' } });
}
const fixtures = fileURLToPath(new URL('../../../libs/yolov5/src/lib/fixtures/', import.meta.url));
const pets = fileURLToPath(new URL('../../../data-samples/getty-pets/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vigil-train-transfer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('vigil-train --weights: transfer learning from YOLOv5 .pt files', () => {
  const yaml = join(tmp, 'data.yaml');
  const tinyP6 = join(tmp, 'tiny-p6.yaml');
  beforeAll(() => {
    const pick = (split: string, n: number) => readdirSync(join(pets, 'images', split)).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => join(pets, 'images', split, f));
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'train.txt'), pick('train', 8).join('\n') + '\n');
    writeFileSync(join(tmp, 'val.txt'), pick('val', 4).join('\n') + '\n');
    writeFileSync(yaml, 'train: train.txt\nval: val.txt\nnames: [cat, acanthus, allium]\n');
    writeFileSync(tinyP6, readFileSync(join(specsDir(), 'yolov5n6.yaml'), 'utf8').replace(/width_multiple: [0-9.]+/, 'width_multiple: 0.0625'));
  });
  const base = (project: string) => ['--data', yaml, '--img', '64', '--batch', '4', '--epochs', '1', '--project', join(tmp, project), '--workers', '1', '--warmup-min-iters', '2', '--nbs', '4', '--noautoanchor'];

  it("today's ultralytics/yolov5 checkpoint (nc 80) fine-tuned to nc 3: its own architecture, head re-initialised, trains", () => {
    const r = cli(...base('runs-today'), '--weights', join(fixtures, 'today-n.ckpt.pt'));
    expect(r.status, r.stderr).toBe(0);
    const m = /transferred (\d+)\/(\d+) tensors from .*today-n\.ckpt\.pt; 6 of another shape re-initialised \(the Detect head for 3 classes\) \(architecture and anchors from the file\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBe(Number(m![2]) - 6);
    const ck = loadCheckpoint(join(tmp, 'runs-today', 'exp', 'weights', 'last.vckpt'));
    expect(ck.spec).toMatchObject({ nc: 3, width_multiple: 0.0625 });
    expect(ck.spec.backbone[9]![2]).toBe('SPPF');
    expect(ck.names).toEqual(['cat', 'acanthus', 'allium']);
  }, 400_000);

  it('a plain state_dict with --cfg transfers (no "pass --cfg"); weights of another architecture stop with one line', () => {
    const sd = cli(...base('runs-sd'), '--cfg', tinyP6, '--weights', join(fixtures, 'tiny-p6.state_dict.pt'));
    expect(sd.stderr).not.toMatch(/pass --cfg/);
    expect(sd.status, sd.stderr).toBe(0);
    const m = /transferred (\d+)\/(\d+) tensors from .*tiny-p6\.state_dict\.pt; 8 of another shape re-initialised \(the Detect head for 3 classes\) \(anchors from --cfg/.exec(sd.stdout);
    expect(m, sd.stdout).not.toBeNull();
    expect(Number(m![1])).toBe(Number(m![2]) - 8);
    const bad = cli(...base('runs-bad'), '--cfg', 'yolov5n6', '--weights', join(fixtures, 'today-n.ckpt.pt'));
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n').filter((l) => l.startsWith('vigil-train:'))).toHaveLength(1);
    expect(bad.stderr).not.toMatch(/^\s+at /m);
    expect(bad.stderr).toMatch(/^vigil-train: .*today-n\.ckpt\.pt: transferred \d+\/\d+ tensors into --cfg yolov5n6 \(nc 3\), fewer than half: .*pass the --cfg they were trained with/m);
  }, 400_000);
});
