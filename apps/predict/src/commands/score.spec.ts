import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('../../../../libs/evaluator/src/lib/fixtures/score-a/', import.meta.url));
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, 'score', ...args], { encoding: 'utf8' });
}
const tmp = mkdtempSync(join(tmpdir(), 'vigil score '));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('vigil-predict score', () => {
  it('prints the table and, with --json, the metrics as the last stdout line (the original\'s values); writes plots', () => {
    const plots = join(tmp, 'plots');
    const r = cli('--labels', join(fixtures, 'labels.json'), '--predictions', join(fixtures, 'predictions.json'), '--json', '--plots', plots);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ +Class +Images +Labels +P +R +mAP@\.5 +mAP@\.75 +mAP@\.80\(s\) +mAP@\.5:\.95$/);
    const summary = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(['map50', 'map75', 'map80_seed', 'map50_95', 'precision', 'recall', 'classes']);
    const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as { seed: Record<string, number> };
    for (const k of ['map50', 'map75', 'map80_seed', 'map50_95', 'precision', 'recall']) expect(summary[k]).toBe(expected.seed[k]);
    expect(Object.keys(summary['classes'] as object)).not.toContain('phone'); // predicted but never labelled
    expect(r.stderr).toMatch(/note: 2 predicted image\(s\) are not in .* and were ignored: a_extra0\.jpg, a_extra1\.jpg/);
    const png = readFileSync(join(plots, 'PR_curve.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(plots, 'confusion_matrix.csv'), 'utf8')).toMatch(/^predicted\\true,eye_opened/);
  });

  it('bad input is one line on stderr, exit code 2, no stack trace', () => {
    const bad = join(tmp, 'bad predictions.json');
    writeFileSync(bad, '{"annotations": [\n {"file_name": "x.jpg", "objects": [}]}');
    const r = cli('--labels', join(fixtures, 'labels.json'), '--predictions', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vigil-predict: .*bad predictions\.json: not valid JSON at line 2, column 37/);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    const missing = cli('--labels', join(tmp, 'nope.json'), '--predictions', bad);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the labels file .*nope\.json \(ENOENT\)/);
  });
});
