import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, statSync, symlinkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticData } from '@vigil/dataset';
import { loadCheckpoint, specsDir } from '@vigil/yolov5';
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

const FLAGS = ['--data', '--fine-tune-data', '--data-root', '--no_data_prepare', '--cfg', '--hyp', '--hyp_tune', '--weights', '--epochs', '--epoch_parts', '--save_period', '--epochs_tune', '--epoch_parts_tune',
  '--save_period_tune', '--batch', '--img', '--device', '--name', '--random_seed', '--adam', '--linear-lr', '--label-smoothing', '--workers', '--val-period', '--patience', '--resume',
  '--freeze', '--diet-source', '--val-count', '--backend', '--nbs', '--warmup-min-iters', '--val-conf', '--val-iou', '--noautoanchor', '--project', '--prepared-dir', '--exist-ok'];

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

  it('output folders that are files or dangling links: one line before any work', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const dangling = join(tmp, 'dangling');
    symlinkSync(join(tmp, 'nowhere'), dangling);
    for (const [flag, path, why] of [
      ['--project', file, /is a file, not a folder/],
      ['--project', join(file, 'runs'), /a-file is a file, not a folder/],
      ['--project', dangling, /is a dangling symbolic link/],
      ['--prepared-dir', file, /is a file, not a folder/],
    ] as const) {
      const r = cli(flag, path, '--project', flag === '--project' ? path : join(tmp, 'runs-never'));
      expect(r.status, `${flag} ${path}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^vigil-train: ${flag} ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(r.stderr).toMatch(why);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).not.toMatch(/synthetic|preparing/);
    }
    expect(existsSync(join(tmp, 'runs-never'))).toBe(false);
  });

  // As root, permissions do not stop writes: the unwritable case runs the CLI as an unprivileged user, who must be able
  // to reach the checkout (a clone inside a 0700 mktemp folder is not reachable: nothing to test there).
  const reachableByOthers = (dir: string): boolean => {
    for (let d = dir; ; d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) return false;
      if (dirname(d) === d) return true;
    }
  };
  it.skipIf(process.getuid?.() === 0 && !reachableByOthers(dirname(main)))('an unwritable --project: one line before any work', () => {
    // unwritable: a root-owned folder seen by another user (as root, permissions do not stop writes)
    const ro = join(tmp, 'read-only');
    mkdirSync(ro, { mode: 0o555 });
    chmodSync(tmp, 0o755);
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, '--project', join(ro, 'runs')], { encoding: 'utf8', env: { ...process.env, VIGIL_BACKEND: 'cpu' }, ...asUser });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^vigil-train: --project .*read-only\/runs: cannot write there \(EACCES\)/);
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
      // one run folder, both stages inside it
      for (const d of ['exp/stage1', 'exp/stage2']) {
        for (const f of ['weights/last.vckpt', 'results.csv', 'results.png', 'labels.jpg', 'train_batch0.jpg', 'PR_curve.png', 'opt.json']) {
          expect(existsSync(join(tmp, 'runs', d, f)), `${d}/${f}`).toBe(true);
        }
      }
      expect(existsSync(join(tmp, 'runs', 'exp', 'run.json'))).toBe(true);
      expect(existsSync(join(tmp, 'runs', 'exp2'))).toBe(false);
      expect(readFileSync(join(tmp, 'runs', 'exp', 'stage1', 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
      expect(r.stdout).toMatch(/frozen layers: 1,2,3,4,5,8,9,10,11/);
      // --no_data_prepare reuses the prepared folders; a second run goes to exp2 (increment_path), one stage: flat
      const again = cli(...args, '--no_data_prepare', '--epochs', '1', '--epochs_tune', '0');
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).not.toMatch(/preparing data/);
      expect(existsSync(join(tmp, 'runs', 'exp2', 'weights', 'last.vckpt'))).toBe(true);
      // a finished run: --resume says so in one line and trains nothing
      const resume = cli('--resume', join(tmp, 'runs', 'exp2', 'weights', 'last.vckpt'), '--data-root', root);
      expect(resume.status, resume.stderr).toBe(0);
      expect(resume.stdout).toMatch(/exp2 has finished \(.*\): nothing to resume/);
      // --exist-ok trains into exp2 again instead of exp3
      const over = cli(...args, '--no_data_prepare', '--epochs', '1', '--epochs_tune', '0', '--name', 'exp2', '--exist-ok');
      expect(over.status, over.stderr).toBe(0);
      expect(existsSync(join(tmp, 'runs', 'exp3'))).toBe(false);
      expect(existsSync(join(tmp, 'runs', 'exp22'))).toBe(false);
    }, 600_000);
  });

  describe('--data: any YOLO dataset (photographed sample, mixed formats, foreign classes)', () => {
    const pets = fileURLToPath(new URL('../../../data-samples/getty-pets/', import.meta.url));
    const ds = join(tmp, 'pets');
    const cfg = join(tmp, 'tiny-p6-data.yaml');
    const yaml = join(ds, 'data.yaml');
    beforeAll(() => {
      writeFileSync(cfg, readFileSync(join(specsDir(), 'yolov5n6.yaml'), 'utf8').replace(/width_multiple: [0-9.]+/, 'width_multiple: 0.0625'));
      // 12 training images of every format (JPEG colour/grey, PNG, BMP, WebP) and 6 val images, listed in .txt files
      const pick = (split: string, n: number) => {
        const files = readdirSync(join(pets, 'images', split)).sort();
        const byExt = ['.jpg', '.png', '.bmp', '.webp'].flatMap((e) => files.filter((f) => f.endsWith(e)).slice(0, Math.ceil(n / 4)));
        return byExt.slice(0, n).map((f) => join(pets, 'images', split, f));
      };
      mkdirSync(join(ds, 'images', 'extra'), { recursive: true });
      mkdirSync(join(ds, 'labels', 'extra'), { recursive: true });
      // an unreadable image and one whose label names class 7 of 3: both reported and skipped
      writeFileSync(join(ds, 'images', 'extra', 'broken.jpg'), 'not an image');
      writeFileSync(join(ds, 'labels', 'extra', 'broken.txt'), '0 0.5 0.5 0.2 0.2\n');
      copyFileSync(join(pets, 'images', 'train', 'train_0000.jpg'), join(ds, 'images', 'extra', 'bad-class.jpg'));
      writeFileSync(join(ds, 'labels', 'extra', 'bad-class.txt'), '7 0.5 0.5 0.2 0.2\n');
      writeFileSync(join(ds, 'train.txt'), [...pick('train', 12), join(ds, 'images', 'extra', 'broken.jpg'), join(ds, 'images', 'extra', 'bad-class.jpg')].join('\n') + '\n');
      writeFileSync(join(ds, 'val.txt'), pick('val', 6).join('\n') + '\n');
      writeFileSync(yaml, 'train: train.txt\nval: val.txt\nnames: [cat, acanthus, allium]\n');
    });

    const base = (project: string) => ['--data', yaml, '--cfg', cfg, '--img', '64', '--batch', '4', '--epochs', '1', '--project', join(tmp, project), '--workers', '1', '--warmup-min-iters', '2', '--nbs', '4', '--noautoanchor'];

    it('checks the dataset first, skips what cannot be used, trains one stage with a head for its 3 classes', () => {
      const r = cli(...base('runs-data'));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Dataset check: .*data\.yaml \(nc=3: cat, acanthus, allium\)/);
      expect(r.stdout).toMatch(/broken\.jpg/);
      expect(r.stdout).toMatch(/bad-class\.jpg/);
      expect(r.stdout.indexOf('Dataset check')).toBeLessThan(r.stdout.indexOf('stage 1: baseline'));
      expect(r.stdout).toMatch(/train: 12 images .*; val: 6 images .*; 3 classes: cat, acanthus, allium/);
      expect(r.stdout).not.toMatch(/preparing data|fine-tuning start/);
      expect(existsSync(join(tmp, 'runs-data', 'exp', 'weights', 'last.vckpt'))).toBe(true);
      expect(existsSync(join(tmp, 'runs-data', 'exp2'))).toBe(false);
      const ck = loadCheckpoint(join(tmp, 'runs-data', 'exp', 'weights', 'last.vckpt'));
      expect(ck.names).toEqual(['cat', 'acanthus', 'allium']);
      expect(ck.spec.nc).toBe(3);
    }, 600_000);

    it('--fine-tune-data adds the second stage from stage 1\'s weights; misuse is one clear line', () => {
      const r = cli(...base('runs-tune'), '--fine-tune-data', yaml, '--epochs_tune', '1', '--freeze', '1-3');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/### fine-tuning start/);
      expect(r.stdout).toMatch(/frozen layers: 1,2,3/);
      expect(existsSync(join(tmp, 'runs-tune', 'exp', 'stage2', 'weights', 'last.vckpt'))).toBe(true);
      const two = join(ds, 'two.yaml');
      writeFileSync(two, 'train: train.txt\nval: val.txt\nnames: [cat, dog]\n');
      const mismatch = cli(...base('runs-bad'), '--fine-tune-data', two);
      expect(mismatch.status).toBe(2);
      expect(mismatch.stderr).toMatch(/^vigil-train: --fine-tune-data .*two\.yaml has 2 classes but --data .*data\.yaml has 3/m);
      expect(existsSync(join(tmp, 'runs-bad', 'exp'))).toBe(false); // stopped before training, no run folder left
      const missing = cli('--data', join(ds, 'nope.yaml'));
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/^vigil-train: --data .*nope\.yaml: no such file/m);
    }, 600_000);
  });
});
