/**
 * Bad input through the CLI (issue 14): `vigil-train prepare` reports broken images by name and reason and converts
 * everything valid (exit 0) or stops with one line (exit 2); `vigil-train --data` reports and skips broken images,
 * and stops with one line, before any training, when a split has nothing usable or the YAML has Windows paths.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'vigil bad input cli '));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const images = join(dir, 'task03_train', 'images');
const labelsFile = join(dir, 'task03_train', 'labels.json');

/** The first bytes of a JPEG up to the end of its first scan header: a header-only file. */
function headerOnly(jpg: Buffer): Buffer {
  const sos = jpg.indexOf(Buffer.from([0xff, 0xda]));
  return jpg.subarray(0, sos + 2 + jpg.readUInt16BE(sos + 2));
}

/** Training commands print the backend line first; the error is one `vigil-train:` line, no stack trace. */
function expectOneErrorLine(stderr: string): void {
  expect(stderr.split('\n').filter((l) => l.startsWith('vigil-train:'))).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}

interface Entry {
  file_name: string;
  objects?: unknown[];
}

beforeAll(() => {
  const r = cli('synth', '--out', dir, '--train', '12', '--test', '0', '--width', '128', '--height', '96');
  expect(r.status, r.stderr).toBe(0);
});

describe('vigil-train prepare: bad input', () => {
  it('names every broken image with its reason, converts every valid one, exit code 0', () => {
    const doc = JSON.parse(readFileSync(labelsFile, 'utf8')) as { annotations: Entry[] };
    const [a, b, c, d, e, bg] = doc.annotations;
    const jpg = readFileSync(join(images, a!.file_name));
    writeFileSync(join(images, a!.file_name), jpg.subarray(0, jpg.length >> 1));
    writeFileSync(join(images, b!.file_name), headerOnly(readFileSync(join(images, b!.file_name))));
    writeFileSync(join(images, c!.file_name), '');
    writeFileSync(join(images, d!.file_name), 'not an image');
    rmSync(join(images, e!.file_name));
    delete bg!.objects; // a background image: kept
    copyFileSync(join(images, bg!.file_name), join(images, 'no record.jpg'));
    writeFileSync(labelsFile, JSON.stringify(doc));

    const r = cli('--data-root', dir, 'prepare', '--out', join(dir, 'out'), '--val-count', '0');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/images: 12 in labels\.json, 7 usable → train 7, val 0/);
    expect(r.stdout).toMatch(/background images \(no boxes, kept\): \d+, 1 of them without an "objects" key/);
    const line = (name: string) => r.stdout.split('\n').find((l) => l.trim().startsWith(`${name} `) || l.trim() === name);
    expect(line(a!.file_name)).toMatch(/\(truncated JPEG: the image data ends before the end-of-image marker\)$/);
    expect(line(b!.file_name)).toMatch(/\(truncated JPEG: the image data ends before the end-of-image marker\)$/);
    expect(line(c!.file_name)).toMatch(/\(empty file \(0 bytes\)\)$/);
    expect(line(d!.file_name)).toMatch(/\(Input file contains unsupported image format\)$|\(Input buffer contains unsupported image format\)$/);
    expect(line(e!.file_name)).toBeDefined();
    expect(r.stdout).toMatch(/damaged image: 2 \(image skipped/);
    expect(r.stdout).toMatch(/missing image: 1 \(image skipped\)/);
    expect(r.stdout).toMatch(/image without record: 1 \(not converted[^\n]*\n {6}no record\.jpg\n/);
    const written = readdirSync(join(dir, 'out/drowsy_face/images/train')).sort();
    expect(written).toHaveLength(7);
    for (const x of [a, b, c, d, e]) expect(written).not.toContain(x!.file_name);
    expect(readdirSync(join(dir, 'out/drowsy_face/labels/train'))).toHaveLength(7);
    expect(readFileSync(join(dir, 'out/drowsy_face/labels/train', bg!.file_name.replace(/\.jpg$/, '.txt')), 'utf8')).toBe('');
  }, 60_000);

  it('stops with one line naming both files when two images would share one label file, exit code 2', () => {
    const doc = JSON.parse(readFileSync(labelsFile, 'utf8')) as { annotations: Entry[] };
    const last = doc.annotations.at(-1)!;
    const clash = last.file_name.replace(/\.jpg$/, '.JPG');
    copyFileSync(join(images, last.file_name), join(images, clash));
    doc.annotations.push({ file_name: clash, objects: [] });
    writeFileSync(labelsFile, JSON.stringify(doc));
    const r = cli('--data-root', dir, 'prepare', '--out', join(dir, 'out clash'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`images '${last.file_name}' and '${clash}' would share the label file '${last.file_name.replace(/\.jpg$/, '.txt')}'`);
    expect(existsSync(join(dir, 'out clash'))).toBe(false);
  }, 60_000);
});

describe('vigil-train --data: bad input', () => {
  const ds = join(dir, 'yolo');
  beforeAll(() => {
    for (const d of ['images/train', 'labels/train', 'images/val', 'labels/val']) mkdirSync(join(ds, d), { recursive: true });
    const good = readdirSync(images).filter((f) => /^synth.*\.jpg$/.test(f)).slice(5, 9);
    for (const f of good) {
      copyFileSync(join(images, f), join(ds, 'images/train', f));
      writeFileSync(join(ds, 'labels/train', f.replace(/\.jpg$/, '.txt')), '0 0.5 0.5 0.2 0.2\n');
    }
    const jpg = readFileSync(join(images, good[0]!));
    writeFileSync(join(ds, 'images/val', 'cut.jpg'), jpg.subarray(0, jpg.length - 100));
    writeFileSync(join(ds, 'images/val', 'header.jpg'), headerOnly(jpg));
    writeFileSync(join(ds, 'labels/val', 'cut.txt'), '0 0.5 0.5 0.2 0.2\n');
    writeFileSync(join(ds, 'data.yaml'), 'train: images/train\nval: images/val\nnames: [face]\n');
  });

  // a model that passes the memory check on the wasm-heap backends, so the data check is what stops the run
  const SMALL = ['--cfg', 'yolov5n6', '--img', '128', '--batch', '2'];

  it('a split whose images are all broken: the report names each with its reason, then one line, exit code 2', () => {
    const r = cli('--data', join(ds, 'data.yaml'), ...SMALL, '--project', join(dir, 'runs'));
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/val: damaged image: 2 \(image skipped/);
    expect(r.stdout).toMatch(/images\/val\/cut\.jpg: truncated JPEG: the image data ends before the end-of-image marker/);
    expect(r.stdout).toMatch(/images\/val\/header\.jpg: truncated JPEG/);
    expect(r.stdout).toMatch(/^train\s+4\s+4\s+4\s+0 \(0\/0\)\s+4\s+0$/m);
    expectOneErrorLine(r.stderr);
    expect(r.stderr).toMatch(/^vigil-train: .*data\.yaml: the val split has no usable image \(2 image files found/m);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  }, 60_000);

  it('a YAML with Windows paths: one line with the hint to use relative paths, exit code 2', () => {
    writeFileSync(join(ds, 'win.yaml'), 'train: C:\\datasets\\faces\\train\\images\nval: C:\\datasets\\faces\\valid\\images\nnames: [face]\n');
    const r = cli('--data', join(ds, 'win.yaml'), ...SMALL, '--project', join(dir, 'runs'));
    expect(r.status).toBe(2);
    expectOneErrorLine(r.stderr);
    expect(r.stderr).toMatch(/'train:' path not found: .*C:\\datasets\\faces\\train\\images .*looks like a Windows path .*use paths relative to the YAML's folder/);
  }, 60_000);
});
