import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_BACKEND: 'cpu' } });
}

describe('vigil-predict info', () => {
  it('yolov5l6 (nc 7): 76,701,712 parameters; --json ends with the summary line', () => {
    const r = cli('info', '--cfg', 'yolov5l6', '--json');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ params: 76_701_712, gflops: 116.59, layers: 638 });
    expect(r.stdout).toMatch(/Model Summary: 638 layers, 76701712 parameters/);
    expect(r.stdout).toMatch(/models\.common\.Focus/);
  });

  it('--nc overrides the yaml; a yaml path works', () => {
    const spec = fileURLToPath(new URL('../../../../libs/yolov5/specs/yolov5s.yaml', import.meta.url));
    const r = cli('info', '--cfg', spec, '--nc', '7', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ params: 7_079_724, layers: 283 });
  });

  it('bad --cfg / --nc are one-line errors with exit code 2', () => {
    const r = cli('info', '--cfg', 'yolov5q');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vigil-predict: --cfg yolov5q: no such file and not a shipped spec/);
    const s = cli('info', '--cfg', 'yolov5n6', '--nc', '0');
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/--nc must be a positive integer, got "0"/);
    expect(s.stderr).not.toMatch(/\s+at /);
  });
});
