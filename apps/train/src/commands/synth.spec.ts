import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'vigil-synth-cli '));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil-train synth', () => {
  it('renders the competition layout', () => {
    const r = cli('synth', '--out', dir, '--train', '3', '--test', '1', '--seed', '2', '--width', '160', '--height', '120');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/3 train \+ 1 test images/);
    expect(JSON.parse(readFileSync(join(dir, 'task03_train/labels.json'), 'utf8')).annotations).toHaveLength(3);
    expect(readdirSync(join(dir, 'task03_test/images'))).toHaveLength(1);
  });

  it('reports a bad flag in one line with exit code 2', () => {
    const r = cli('synth', '--out', dir, '--train', 'many');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("vigil-train: --train must be an integer, got 'many'");
  });
});
