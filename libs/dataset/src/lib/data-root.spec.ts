import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSynthDir, resolveDataRoot } from './data-root.js';

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
    // an existing complete set is used as it is, whatever its parameters (no regeneration)
    const again = await resolveDataRoot(undefined, { competitionRoot: join(d, 'none'), synthDir, synth: { train: 2, test: 1, width: 64, height: 64 } });
    expect(again).toEqual({ root: synthDir, synthetic: true });
    expect(JSON.parse(readFileSync(join(synthDir, 'vigil-synth.json'), 'utf8'))).toMatchObject({ train: 1 });
  });
  it('default folder: $VIGIL_SYNTH_DIR, else data/synthetic in the repository root', () => {
    expect(defaultSynthDir({ VIGIL_SYNTH_DIR: '/x/y' })).toBe('/x/y');
    const d = defaultSynthDir({});
    expect(d.endsWith(join('data', 'synthetic'))).toBe(true);
    expect(existsSync(join(d, '..', '..', 'nx.json'))).toBe(true);
  });
});
