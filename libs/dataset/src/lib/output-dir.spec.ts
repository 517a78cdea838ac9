import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputDir, checkReplaceable, markPrepared, PREPARED_MARKER, removePrepared } from './output-dir.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-output-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkOutputDir', () => {
  it('accepts a folder or a path under one, creating nothing', () => {
    checkOutputDir(dir, '--out');
    checkOutputDir(join(dir, 'new', 'deeper'), '--out');
    expect(readdirSync(dir)).toEqual([]);
  });
  it('a file on the way or a dangling link: one message naming flag and path', () => {
    writeFileSync(join(dir, 'f'), '');
    expect(() => checkOutputDir(join(dir, 'f'), '--out')).toThrow(/^--out .*f: is a file, not a folder/);
    expect(() => checkOutputDir(join(dir, 'f', 'x'), '--project')).toThrow(/^--project .*x: .*f is a file, not a folder/);
    symlinkSync(join(dir, 'gone'), join(dir, 'l'));
    expect(() => checkOutputDir(join(dir, 'l'), '--out')).toThrow(/is a dangling symbolic link \(to .*gone\)/);
  });
});

describe('converter output folders', () => {
  it('replaces only what it marked (or its older layout), empty folders and nothing', () => {
    const out = join(dir, 'out');
    const face = join(out, 'drowsy_face');
    checkReplaceable(face, '--out'); // missing
    mkdirSync(face, { recursive: true });
    checkReplaceable(face, '--out'); // empty
    writeFileSync(join(face, 'notes.txt'), 'mine');
    expect(() => checkReplaceable(face, '--out')).toThrow(/^--out: .*drowsy_face was not written by the converter \(no \.vigil-prepared marker\)/);
    markPrepared(face);
    checkReplaceable(face, '--out');
    const legacy = join(dir, 'legacy', 'drowsy_face');
    mkdirSync(join(legacy, 'images'), { recursive: true });
    for (const f of ['prepare_report.json', 'raw_train.json']) writeFileSync(join(legacy, f), '{}');
    mkdirSync(join(dir, 'legacy', 'drowsy_face_diet', 'labels'), { recursive: true });
    checkReplaceable(legacy, '--out');
    checkReplaceable(join(dir, 'legacy', 'drowsy_face_diet'), '--out');
  });

  it('removes a folder by renaming it first, and the leftovers of a removal a kill interrupted', () => {
    const out = join(dir, 'rm');
    mkdirSync(join(out, 'drowsy_face', 'images'), { recursive: true });
    markPrepared(join(out, 'drowsy_face'));
    mkdirSync(join(out, '.drowsy_face.removing-1-abc', 'labels'), { recursive: true });
    mkdirSync(join(out, 'drowsy_face_diet'));
    removePrepared(join(out, 'drowsy_face'));
    expect(readdirSync(out)).toEqual(['drowsy_face_diet']);
    expect(PREPARED_MARKER).toBe('.vigil-prepared');
  });
});
