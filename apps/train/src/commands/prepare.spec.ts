import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'vigil-prepare-cli '));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil-train prepare', () => {
  it('converts a synthetic set and prints the class table', () => {
    expect(cli('synth', '--out', dir, '--train', '10', '--test', '0', '--width', '128', '--height', '96').status).toBe(0);
    const r = cli('--data-root', dir, 'prepare', '--out', join(dir, 'out'), '--seed', '1');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/images: 10 in labels.json, 10 usable → train 8, val 2/);
    expect(r.stdout).toMatch(/note: validation count 20000 capped to 2 \(20 % of 10 images\)/);
    expect(r.stdout).toMatch(/^face\s+\d+\s+8\s+2$/m);
    expect(r.stdout).toMatch(/bad records: none/);
    expect(readdirSync(join(dir, 'out/drowsy_face/labels/train'))).toHaveLength(8);
  });

  it('stops on a malformed labels.json with one line, exit code 2', () => {
    const bad = join(dir, 'bad');
    mkdirSync(join(bad, 'task03_train/images'), { recursive: true });
    writeFileSync(join(bad, 'task03_train/labels.json'), '{"annotations": [');
    const r = cli('--data-root', bad, 'prepare', '--out', join(bad, 'out'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/labels\.json is not valid JSON at line 1, column 18/);
  });

  it('--out: replaces what it wrote before, never a drowsy_face/ it did not create', () => {
    const out = join(dir, 'out');
    expect(readdirSync(join(out, 'drowsy_face'))).toContain('.vigil-prepared');
    expect(cli('--data-root', dir, 'prepare', '--out', out, '--seed', '1').status).toBe(0);
    const foreign = join(dir, 'foreign');
    mkdirSync(join(foreign, 'drowsy_face'), { recursive: true });
    writeFileSync(join(foreign, 'drowsy_face', 'my-notes.txt'), 'keep me');
    const r = cli('--data-root', dir, 'prepare', '--out', foreign);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^vigil-train: --out: .*foreign\/drowsy_face was not written by the converter \(no \.vigil-prepared marker\)/);
    expect(readdirSync(join(foreign, 'drowsy_face'))).toEqual(['my-notes.txt']);
    writeFileSync(join(dir, 'a-file'), 'x');
    const file = cli('--data-root', dir, 'prepare', '--out', join(dir, 'a-file'));
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/^vigil-train: --out .*a-file: is a file, not a folder/);
  });
});
