import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const pets = fileURLToPath(new URL('../../../data-samples/getty-pets/dataset.yaml', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vigil-train-mem-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('vigil-train memory check', () => {
  it('the default model (yolov5l6 @ 1280, batch 4) on a wasm-heap backend stops before set-up with one line', () => {
    const r = spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, '--data', pets, '--backend', 'wasm', '--project', join(tmp, 'runs')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('vigil-train:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^vigil-train: --cfg yolov5l6\.yaml at --img 1280 --batch 4 needs about \d+\.\d GiB to train, more than the wasm backend's 4\.0 GiB wasm32 heap; what fits: --img \d+ at --batch 4, or a backend without that limit \(--backend tensorflow/);
    expect(r.stdout).not.toMatch(/Dataset check/);
    expect(existsSync(join(tmp, 'runs'))).toBe(false);
  }, 120_000);
});
