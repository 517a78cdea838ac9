import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
/** Runs the CLI entry point on source (tsx), as a user would run the built bin. */
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], {
    encoding: 'utf8',
    env: { ...process.env, VIGIL_BACKEND: 'cpu' },
  });
}

const FLAGS = ['--weights', '--source', '--img-size', '--conf-thres', '--iou-thres', '--batch-size', '--no-augment', '--ensemble', '--project', '--name', '--labels', '--shard', '--backend', '--data-root', '--save-img', '--empty-objects'];

describe('vigil-predict', () => {
  it('documents its flags in --help', () => {
    const help = buildProgram().helpInformation();
    expect(help).toMatch(/^Usage: vigil-predict/);
    for (const flag of FLAGS) expect(help).toContain(flag);
  });

  it('predicts a folder with a .pt file, reports the backend on stderr and writes the JSON', () => {
    const fx = fileURLToPath(new URL('./predict/fixtures/', import.meta.url));
    const project = mkdtempSync(join(tmpdir(), 'vigil-predict-cli-'));
    const r = cli('--weights', join(fx, 'model-a.pt'), '--source', join(fx, 'images'), '--img-size', '128', '--no-augment', '--project', project);
    expect(r.stderr).not.toMatch(/\s+at /);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\[vigil\] backend: cpu/);
    expect(r.stdout).toMatch(/^Speed: .* ms pre-process\/inference\/NMS per 128x128 image at batch-size 4$/m);
    expect(existsSync(join(project, 'final', 'model-a_predictions.json'))).toBe(true);
  });

  it('without weights and no trained run: one line, exit code 2', () => {
    // from an empty folder (no runs/train there): tsx by absolute URL, as it is not resolvable from that folder
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const r = spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', tsx, main], {
      encoding: 'utf8',
      cwd: mkdtempSync(join(tmpdir(), 'vigil-predict-empty-')),
      env: { ...process.env, VIGIL_BACKEND: 'cpu' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^vigil-predict: no --weights and no finished `vigil-train` run under runs\/train\/.*npm run demo/);
  });

  it('an output folder in the way: one line before any model is loaded', () => {
    const fx = fileURLToPath(new URL('./predict/fixtures/', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'vigil-predict-out-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const r = cli('--weights', join(fx, 'model-a.pt'), '--source', join(fx, 'images'), '--img-size', '128', '--no-augment', '--project', file);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^vigil-predict: --project .*a-file: is a file, not a folder; pick another path$/);
    expect(r.stderr).not.toMatch(/models:/);
  });

  it('a bad flag value is a one-line error with exit code 2, no stack trace', () => {
    const r = cli('--backend', 'tpu', '--weights', 'x.pt');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vigil-predict: unknown backend "tpu"/);
    expect(r.stderr).not.toMatch(/\s+at /);
  });
});
