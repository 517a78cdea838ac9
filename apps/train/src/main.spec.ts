import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticData } from '@vigil/dataset';
import { specsDir } from '@vigil/yolov5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from './program.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
/** Runs the CLI entry point on source (tsx), as a user would run the built bin. */
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], {
    encoding: 'utf8',
    env: { ...process.env, VIGIL_BACKEND: 'cpu' },
  });
}

const FLAGS = ['--data-root', '--no_data_prepare', '--cfg', '--hyp', '--hyp_tune', '--weights', '--epochs', '--epoch_parts', '--save_period', '--epochs_tune', '--epoch_parts_tune',
  '--save_period_tune', '--batch', '--img', '--device', '--name', '--random_seed', '--adam', '--linear-lr', '--label-smoothing', '--workers', '--val-period', '--resume',
  '--freeze', '--diet-source', '--val-count', '--backend', '--nbs', '--warmup-min-iters', '--val-conf', '--val-iou', '--noautoanchor', '--project', '--prepared-dir'];

const tmp = mkdtempSync(join(tmpdir(), 'vigil-train-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('vigil-train', () => {
  it('documents its flags in --help', () => {
    const help = buildProgram().helpInformation();
    expect(help).toMatch(/^Usage: vigil-train/);
    for (const flag of FLAGS) expect(help).toContain(flag);
  });

  it('a bad flag value is a one-line error with exit code 2, no stack trace', () => {
    const r = cli('--backend', 'tpu', '--data-root', tmp);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vigil-train: /);
    expect(r.stderr).not.toMatch(/\s+at /);
    const b = cli('--batch', 'x');
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/^vigil-train: --batch must be an integer ≥ 1, got 'x'/);
  });

  describe('two stages end to end on a tiny synthetic set (tiny model, 64 px, cpu)', () => {
    const root = join(tmp, 'data');
    const cfg = join(tmp, 'tiny-p6.yaml');
    beforeAll(async () => {
      await generateSyntheticData(root, { train: 30, test: 2, width: 160, height: 120, seed: 3 });
      writeFileSync(cfg, readFileSync(join(specsDir(), 'yolov5n6.yaml'), 'utf8').replace(/width_multiple: [0-9.]+/, 'width_multiple: 0.0625'));
    });

    it('prepares, trains stage 1 and stage 2, writes the run folders and prints the table', () => {
      const args = ['--data-root', root, '--cfg', cfg, '--img', '64', '--batch', '4', '--epochs', '2', '--epoch_parts', '1', '--epochs_tune', '1', '--epoch_parts_tune', '2',
        '--val-count', '6', '--project', join(tmp, 'runs'), '--name', 'exp', '--workers', '1', '--warmup-min-iters', '2', '--nbs', '8', '--noautoanchor'];
      const r = cli(...args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/\[vigil\] backend: cpu/);
      expect(r.stdout).toMatch(/train 24, val 6/);
      expect(r.stdout).toMatch(/Epoch\s+mem\s+box\s+obj\s+cls\s+total\s+labels\s+img_size/);
      expect(r.stdout).toMatch(/### base train completed/);
      expect(r.stdout).toMatch(/mAP@\.5:\.95\n\s+all\s+6\s/);
      for (const d of ['exp', 'exp2']) {
        for (const f of ['weights/last.vckpt', 'results.csv', 'results.png', 'labels.png', 'train_batch0.jpg', 'PR_curve.png', 'opt.json']) {
          expect(existsSync(join(tmp, 'runs', d, f)), `${d}/${f}`).toBe(true);
        }
      }
      expect(readFileSync(join(tmp, 'runs', 'exp', 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
      expect(r.stdout).toMatch(/frozen layers: 1,2,3,4,5,8,9,10,11/);
      // --no_data_prepare reuses the prepared folders; a second run goes to exp3/exp4 (increment_path)
      const again = cli(...args, '--no_data_prepare', '--epochs', '1', '--epochs_tune', '0');
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).not.toMatch(/preparing data/);
      expect(existsSync(join(tmp, 'runs', 'exp3', 'weights', 'last.vckpt'))).toBe(true);
      // a finished run is stripped to the EMA weights: --resume says so in one line
      const resume = cli('--resume', join(tmp, 'runs', 'exp3', 'weights', 'last.vckpt'), '--data-root', root);
      expect(resume.status).toBe(2);
      expect(resume.stderr).toMatch(/^vigil-train: the checkpoint holds no training state to resume from/m);
      expect(resume.stderr).not.toMatch(/\s+at /);
    }, 180_000);
  });
});
