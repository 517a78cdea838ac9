/**
 * The external-project example (examples/detect-image, run by tools/examples/run-external.mjs, which CI runs after
 * the tests): the parts that need no network. The template uses only the packages' public entry points, every
 * package it needs declares what its published code imports (tfjs-core as a peer), and the runner's output check
 * accepts the example's format and rejects broken output.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checkDetectOutput } from './examples/check-output.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const template = join(root, 'examples', 'detect-image');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

/** Bare module specifiers imported by `files` (static, side-effect and literal dynamic imports). */
function bareImports(files: string[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const statements = /^\s*(?:import|export)\s[^;]*?\bfrom\s+'([^'.][^']*)'|^\s*import\s+'([^'.][^']*)'|\bimport\(\s*'([^'.][^']*)'\s*\)/gm;
    for (const m of text.matchAll(statements)) out.add((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

/** Package name of a bare specifier (`@scope/name/deep` → `@scope/name`). */
const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
const libPkg = (name: string) => readJson(join(root, 'libs', name.replace('@vigil/', ''), 'package.json'));

describe('external-project example', () => {
  const imports = bareImports(tsFiles(join(template, 'src')));
  const vigil = [...imports].filter((s) => s.startsWith('@vigil/'));

  it('imports only the packages\' main entry points (no deep imports)', () => {
    expect(vigil.length).toBeGreaterThan(0);
    for (const spec of vigil) expect(spec, `${spec} is a deep import`).toBe(packageOf(spec));
    const tpl = readJson(join(template, 'package.json'));
    expect(tpl.type).toBe('module');
  });

  it('needs packages that declare everything their published code imports, tfjs-core as a peer', () => {
    const seen = new Set<string>();
    const queue = [...vigil];
    while (queue.length) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const pkg = libPkg(name);
      expect(pkg.exports['.'].import, name).toMatch(/^\.\/dist\//);
      expect(pkg.exports['.'].types, name).toMatch(/^\.\/dist\/.*\.d\.ts$/);
      expect(pkg.files, name).toContain('dist');
      const declared = { ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies };
      const used = [...bareImports(tsFiles(join(root, 'libs', name.replace('@vigil/', ''), 'src')))]
        .map(packageOf)
        .filter((p) => !p.startsWith('node:') && !builtinModules.includes(p));
      for (const p of used) expect(declared[p], `${name} imports ${p} but does not declare it`).toBeDefined();
      if (used.includes('@tensorflow/tfjs-core')) {
        expect(pkg.peerDependencies?.['@tensorflow/tfjs-core'], `${name}: tfjs-core must be a peer dependency`).toBe('4.22.0');
        expect(pkg.dependencies?.['@tensorflow/tfjs-core'], `${name}: tfjs-core must not be a dependency`).toBeUndefined();
      }
      for (const dep of Object.keys(declared)) if (dep.startsWith('@vigil/')) queue.push(dep);
    }
    expect([...seen].sort()).toEqual(['@vigil/core', '@vigil/cpu-accel', '@vigil/dataset', '@vigil/runtime', '@vigil/webgpu', '@vigil/yolov5']);
  });
});

describe('checkDetectOutput (the runner\'s check of the example\'s output)', () => {
  const names = ['cat', 'acanthus', 'allium'];
  const good = 'img.jpg: 2 detection(s)\ncat 0.912 [10, 20, 110, 200]\nallium 0.300 [0, 0, 320, 279]\n';

  it('accepts the example\'s format and returns the count', () => {
    expect(checkDetectOutput(good, names, 320, 279)).toBe(2);
  });

  it('rejects a missing header, zero detections, a wrong count, unknown classes, unsorted scores, boxes outside', () => {
    expect(() => checkDetectOutput('hello\n', names, 320, 279)).toThrow(/first line should be/);
    expect(() => checkDetectOutput('img.jpg: 0 detection(s)\n', names, 320, 279)).toThrow(/no detections/);
    expect(() => checkDetectOutput(good.replace('2 detection', '3 detection'), names, 320, 279)).toThrow(/announced 3 .* printed 2/);
    expect(() => checkDetectOutput(good.replace('cat', 'dog'), names, 320, 279)).toThrow(/"dog" is not one of .*cat, acanthus, allium/);
    expect(() => checkDetectOutput(good.replace('0.300', '0.950'), names, 320, 279)).toThrow(/not sorted/);
    expect(() => checkDetectOutput(good, names, 300, 279)).toThrow(/\[0, 0, 320, 279\] is not inside the 300×279 image/);
    expect(() => checkDetectOutput(good.replace('[10, 20, 110, 200]', '10 20 110 200'), names, 320, 279)).toThrow(/malformed detection line/);
  });
});
