import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '@vigil/yolov5';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../../libs/yolov5/src/lib/fixtures/', import.meta.url));
const specs = fileURLToPath(new URL('../../../../libs/yolov5/specs/', import.meta.url));
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_BACKEND: 'cpu' } });
}
const dir = mkdtempSync(join(tmpdir(), 'vigil import '));

describe('vigil-predict import', () => {
  it('full checkpoint (fp16, embedded yaml) → .vckpt', () => {
    const out = join(dir, 'from ckpt.vckpt');
    const r = cli('import', '--weights', join(fixtures, 'tiny-p6.ckpt-fp16.pt'), '--out', out);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/imported .*\(ema, fp16, .* → .*: nc=7, \d+ parameters, strides \[8,16,32,64\]/);
    const ck = loadCheckpoint(out);
    expect(ck.spec.width_multiple).toBe(0.0625);
    expect(ck.meta).toMatchObject({ entry: 'ema', epoch: 3 });
  });

  it('plain state_dict needs --cfg; with it, fused + fp16 output', () => {
    const cfg = join(dir, 'tiny p6.yaml');
    writeFileSync(cfg, readFileSync(join(specs, 'yolov5n6.yaml'), 'utf8').replace(/^width_multiple: .*$/m, 'width_multiple: 0.0625'));
    const sd = join(fixtures, 'tiny-p6.state_dict.pt');
    const bad = cli('import', '--weights', sd, '--out', join(dir, 'x.vckpt'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^vigil-predict: .*a plain state_dict does not say its architecture; pass --cfg <yaml>/m);
    const out = join(dir, 'sd.vckpt');
    const r = cli('import', '--weights', sd, '--cfg', cfg, '--out', out, '--fuse', '--half');
    expect(r.status).toBe(0);
    const ck = loadCheckpoint(out);
    expect(ck).toMatchObject({ fused: true, dtype: 'float16' });
    expect(ck.weights.has('model.1.conv.bias')).toBe(true);
    const wrong = cli('import', '--weights', sd, '--cfg', 'yolov5n6', '--out', join(dir, 'y.vckpt'));
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/has shape .* but the model expects/);
    expect(wrong.stderr).not.toMatch(/\s+at /);
  });
});
