import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataRoot } from './data-root.js';

describe('resolveDataRoot', () => {
  it('takes an explicit root as is', async () => {
    expect(await resolveDataRoot('/some/where')).toEqual({ root: '/some/where', synthetic: false });
  });
  it('prefers the competition root when it holds task03_test', async () => {
    const d = mkdtempSync(join(tmpdir(), 'root-'));
    mkdirSync(join(d, 'task03_test'));
    expect(await resolveDataRoot(undefined, { competitionRoot: d })).toEqual({ root: d, synthetic: false });
  });
  it('falls back to the synthetic set, generated on first use', async () => {
    const d = mkdtempSync(join(tmpdir(), 'root-'));
    const synthDir = join(d, 'synth');
    const r = await resolveDataRoot(undefined, { competitionRoot: join(d, 'none'), synthDir, synth: { train: 1, test: 1, width: 64, height: 64 } });
    expect(r).toEqual({ root: synthDir, synthetic: true });
  });
});
