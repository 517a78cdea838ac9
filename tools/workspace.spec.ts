/**
 * Workspace invariants that no single library can test: module boundaries (CONTRIBUTING.md's dependency direction) are
 * enforced by lint, exactly one copy of @tensorflow/tfjs-core is installed, and every package exposes its source
 * through the @vigil/source condition.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Lints `code` as if it were a file of `project` (the rule needs the file on disk; it is removed afterwards). */
async function lintAs(project: string, code: string): Promise<string[]> {
  const file = join(root, project, 'src', 'lib', `boundary-probe-${process.pid}.ts`);
  writeFileSync(file, code);
  try {
    const eslint = new ESLint({ cwd: root });
    const [res] = await eslint.lintFiles([file]);
    return res!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('module boundaries', () => {
  it('reject core importing another library (core depends on nothing)', async () => {
    const msgs = await lintAs('libs/core', "import { initBackend } from '@vigil/runtime';\nexport const x = initBackend;\n");
    expect(msgs.join('\n')).toMatch(/core -> runtime/);
  });
  it('reject a domain library importing a library outside its allowed tags', async () => {
    const msgs = await lintAs('libs/ensembler', "import { initBackend } from '@vigil/runtime';\nexport const x = initBackend;\n");
    expect(msgs.join('\n')).toMatch(/tagged with "lib:ensembler" can only depend on libs tagged with "lib:core"/);
  });
  it('accept an allowed direction', async () => {
    const msgs = await lintAs('libs/runtime', "import { Rng } from '@vigil/core';\nexport const r = new Rng(1);\n");
    expect(msgs).toEqual([]);
  });
});

describe('packages', () => {
  it('exactly one copy of @tensorflow/tfjs-core is installed', () => {
    const found: string[] = [];
    const walk = (dir: string, depth: number) => {
      if (depth > 6 || !existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        const p = join(dir, e.name);
        if (p.endsWith(join('@tensorflow', 'tfjs-core'))) found.push(p);
        else if (e.name === 'node_modules' || e.name.startsWith('@') || depth > 0) walk(p, depth + 1);
      }
    };
    walk(join(root, 'node_modules'), 0);
    for (const d of ['libs', 'apps']) for (const p of readdirSync(join(root, d))) walk(join(root, d, p, 'node_modules'), 1);
    expect(found.map((p) => p.slice(root.length))).toEqual(['node_modules/@tensorflow/tfjs-core']);
  });

  it('every library exposes its source through the @vigil/source condition and has a README', () => {
    for (const lib of readdirSync(join(root, 'libs'))) {
      const dir = join(root, 'libs', lib);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; exports: Record<string, Record<string, string>> };
      expect(pkg.name).toBe(`@vigil/${lib}`);
      expect(Object.keys(pkg.exports['.']!)[0]).toBe('@vigil/source');
      expect(existsSync(join(dir, pkg.exports['.']!['@vigil/source']!))).toBe(true);
      expect(existsSync(join(dir, 'README.md'))).toBe(true);
    }
  });
});
