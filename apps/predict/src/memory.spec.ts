import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const fx = fileURLToPath(new URL('./predict/fixtures/', import.meta.url));

describe('vigil-predict memory check', () => {
  it('a size that cannot fit the wasm32 heap stops before any image is read: one line naming the limit and what fits', () => {
    const project = mkdtempSync(join(tmpdir(), 'vigil-predict-mem-'));
    const r = spawnSync(
      process.execPath,
      ['--conditions=@vigil/source', '--import', 'tsx', main, '--weights', join(fx, 'model-a.pt'), '--source', join(fx, 'images'), '--img-size', '8192', '--batch-size', '64', '--backend', 'wasm', '--project', project],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('vigil-predict:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/model-a\.pt at --img-size 8192 --batch-size 64 needs about \d+\.\d GiB for inference, more than the wasm backend's 4\.0 GiB wasm32 heap; what fits: --batch-size \d+ at --img-size 8192 or --img-size \d+ at --batch-size 64, or a backend without that limit/);
    expect(existsSync(join(project, 'final'))).toBe(false);
  }, 120_000);
});
