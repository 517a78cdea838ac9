import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nearMatchWarning, resolveScoreNames } from './score.js';

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

  it('scores other class lists with --names or a dataset YAML\'s names (the competition\'s 7 by default)', async () => {
    const labels = join(tmp, 'pets labels.json');
    const preds = join(tmp, 'pets predictions.json');
    writeFileSync(labels, JSON.stringify({ annotations: [{ file_name: 'a.png', objects: [{ class: 'dog', position: [10, 10, 50, 60] }, { class: 'cat', position: [60, 10, 90, 40] }] }] }));
    writeFileSync(preds, JSON.stringify({ annotations: [{ file_name: 'a.png', objects: [{ class: 'dog', position: [10, 10, 50, 60], confidence_score: 0.9 }] }] }));
    const plain = cli('--labels', labels, '--predictions', preds);
    expect(plain.status).toBe(2);
    expect(plain.stderr).toMatch(/unknown class "dog"; expected one of eye_opened, .*; for another class list pass --names, --data <dataset\.yaml> or --weights <checkpoint>\.$/m);
    const r = cli('--labels', labels, '--predictions', preds, '--names', 'cat,dog', '--json');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.trimEnd().split('\n').pop()!) as { classes: Record<string, { ap50: number }> };
    expect(Object.keys(summary.classes)).toEqual(['cat', 'dog']);
    expect(summary.classes['cat']!.ap50).toBe(0);
    expect(summary.classes['dog']!.ap50).toBeGreaterThan(0.99);
    const yaml = join(tmp, 'pets.yaml');
    writeFileSync(yaml, 'train: .\nval: .\nnames: {0: cat, 1: dog}\n');
    expect(await resolveScoreNames({ data: yaml })).toEqual(['cat', 'dog']);
    expect((await resolveScoreNames({})).length).toBe(7);
    await expect(resolveScoreNames({ names: 'cat,,dog' })).rejects.toThrow(/comma-separated list/);
    await expect(resolveScoreNames({ names: 'cat,cat' })).rejects.toThrow(/'cat' is listed twice/);
    await expect(resolveScoreNames({ names: 'cat', data: yaml })).rejects.toThrow(/one way: --names or --data/);
  });

  it('matches names exactly but warns, with examples, when labels and predictions differ only by case or extension', () => {
    const labels = join(tmp, 'case labels.json');
    const preds = join(tmp, 'case predictions.json');
    const face = (x: number) => ({ class: 'face', position: [x, 10, x + 40, 60] });
    writeFileSync(labels, JSON.stringify({ annotations: [{ file_name: 'x.JPG', objects: [face(10)] }, { file_name: 'y.png', objects: [face(20)] }, { file_name: 'z.jpg', objects: [face(30)] }] }));
    writeFileSync(
      preds,
      JSON.stringify({ annotations: ['x.jpg', 'y.jpg', 'z.jpg'].map((n, i) => ({ file_name: n, objects: [{ ...face(10 * (i + 1)), confidence_score: 0.9 }] })) }),
    );
    const r = cli('--labels', labels, '--predictions', preds, '--json');
    expect(r.status).toBe(0);
    // exact matching as the original: only z.jpg is found, so recall is 1/3
    expect((JSON.parse(r.stdout.trimEnd().split('\n').pop()!) as { recall: number }).recall).toBeCloseTo(1 / 3, 6);
    expect(r.stderr).toMatch(/warning: 2 labelled image\(s\) .* differs only by case or extension \(e\.g\. label 'x\.JPG' vs prediction 'x\.jpg', label 'y\.png' vs prediction 'y\.jpg'\)/);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toHaveLength(1);
    expect(nearMatchWarning(['a.jpg'], ['b.jpg'])).toBeUndefined();
    expect(nearMatchWarning([], ['a.jpg'])).toBeUndefined();
  });
});
