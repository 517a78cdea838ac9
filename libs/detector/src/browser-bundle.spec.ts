import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./browser.ts', import.meta.url));

describe('browser entry', () => {
  it('bundles for the browser with no Node-only import (node:*, fs, sharp, @vigil/dataset, @vigil/runtime)', async () => {
    const seen: string[] = [];
    const nodeOnly = /^(node:|fs$|fs\/|path$|os$|url$|module$|child_process$|worker_threads$|sharp$|@vigil\/dataset|@vigil\/runtime|@tensorflow\/tfjs-node)/;
    const watch: Plugin = {
      name: 'node-only-imports',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (nodeOnly.test(args.path)) {
            seen.push(`${args.path} (from ${args.importer})`);
            return { path: args.path, external: true };
          }
          return undefined;
        });
      },
    };
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['@vigil/source', 'browser'],
      external: ['@tensorflow/tfjs-core'], // the peer dependency: the page brings its own copy
      plugins: [watch],
      logLevel: 'silent',
      metafile: true,
    });
    expect(seen).toEqual([]);
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.some((f) => f.includes('yolov5/src/browser.ts'))).toBe(true);
    expect(inputs.some((f) => /checkpoint-file|weights-file|spec-files|decode-image|node-load/.test(f))).toBe(false);
  });
});
