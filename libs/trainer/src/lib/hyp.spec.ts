import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VigilUserError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { HYP_FINETUNE_SIMPLE, HYP_SCRATCH_P6, loadHyp, parseHyp, validateHyp } from './hyp.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('hyp', () => {
  it('built-in defaults equal the seed files (copies of /tmp/seed/data/*.yaml in fixtures/)', () => {
    expect(loadHyp(fixture('hyp.scratch-p6.yaml'))).toEqual(HYP_SCRATCH_P6);
    expect(loadHyp(fixture('hyp.finetune-simple.yaml'))).toEqual(HYP_FINETUNE_SIMPLE);
  });

  it('falls back to a built-in set by name when no such file exists', () => {
    expect(loadHyp('data/hyp.finetune-simple.yaml')).toEqual(HYP_FINETUNE_SIMPLE);
    expect(loadHyp('hyp.scratch-p6')).toEqual(HYP_SCRATCH_P6);
  });

  it('names unknown and missing keys (all at once), and the file', () => {
    const text = 'lr0: 0.01\nlrf: 0.2\nmomentum_typo: 0.9\n';
    let err: unknown;
    try {
      parseHyp(text, 'my hyp.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilUserError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^my hyp\.yaml: invalid hyperparameters/);
    expect(msg).toMatch(/missing key\(s\): momentum, weight_decay, warmup_epochs/);
    expect(msg).toMatch(/unknown key\(s\): momentum_typo/);
  });

  it('rejects non-numeric values, non-mappings, bad YAML and unreadable files', () => {
    expect(() => validateHyp({ ...HYP_SCRATCH_P6, lr0: 'fast' }, 'h.yaml')).toThrow(/non-numeric value\(s\): lr0="fast"/);
    expect(() => parseHyp('- 1\n- 2\n', 'list.yaml')).toThrow(/list\.yaml: a hyp file must be a YAML mapping.*got a list/);
    expect(() => parseHyp('lr0: [1,\n', 'broken.yaml')).toThrow(/broken\.yaml: not valid YAML/);
    expect(() => loadHyp('/nonexistent/dir/custom.yaml')).toThrow(/custom\.yaml: cannot read hyp file \(ENOENT\)/);
  });

  it('accepts the optional keys and reads a user file with spaces in its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil hyp '));
    const p = join(dir, 'my hyp.yaml');
    const lines = Object.entries(HYP_FINETUNE_SIMPLE).map(([k, v]) => `${k}: ${v}  # comment`);
    writeFileSync(p, [...lines, 'anchors: 3', 'label_smoothing: 0.1'].join('\n'));
    expect(loadHyp(p)).toEqual({ ...HYP_FINETUNE_SIMPLE, anchors: 3, label_smoothing: 0.1 });
  });
});
