import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
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

const FLAGS = ['--data-root', '--epochs', '--epoch_parts', '--epochs_tune', '--epoch_parts_tune', '--batch', '--img', '--name', '--random_seed', '--freeze', '--diet-source', '--backend'];

describe('vigil-train', () => {
  it('documents its flags in --help', () => {
    const help = buildProgram().helpInformation();
    expect(help).toMatch(/^Usage: vigil-train/);
    for (const flag of FLAGS) expect(help).toContain(flag);
  });

  it('runs and reports the backend on stderr', () => {
    const r = cli();
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\[vigil\] backend: cpu/);
    expect(r.stdout).toMatch(/vigil-train plan:/);
  });

  it('a bad flag value is a one-line error with exit code 2, no stack trace', () => {
    const r = cli('--backend', 'tpu');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vigil-train: unknown backend "tpu"/);
    expect(r.stderr).not.toMatch(/\s+at /);
  });
});
