import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { incrementPath, runStages } from './run-dir.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-run-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run folders', () => {
  it('incrementPath claims exp, exp2, exp3, … and skips names taken by files', () => {
    const base = join(dir, 'runs', 'train', 'exp');
    expect(incrementPath(base)).toBe(base);
    expect(incrementPath(base)).toBe(`${base}2`);
    writeFileSync(`${base}3`, '');
    expect(incrementPath(base)).toBe(`${base}4`);
    expect(statSync(`${base}4`).isDirectory()).toBe(true);
  });

  it('two stages get stage1/ and stage2/ inside the run folder, one stage the run folder itself', () => {
    const st = (e1: number, e2: number) => runStages({ stage1: { epochs: e1 }, stage2: { epochs: e2 } } as Parameters<typeof runStages>[0]);
    expect(st(3, 2)).toEqual([
      { index: 1, dir: 'stage1' },
      { index: 2, dir: 'stage2' },
    ]);
    expect(st(3, 0)).toEqual([{ index: 1, dir: '.' }]);
    expect(st(0, 2)).toEqual([{ index: 2, dir: '.' }]);
    expect(st(0, 0)).toEqual([]);
  });
});
