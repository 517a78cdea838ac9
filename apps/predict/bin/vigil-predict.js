#!/usr/bin/env node
// Runs the built CLI (dist/). Tests and benchmarks use the TypeScript source directly.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('vigil-predict is not built yet: run `npm run setup` (or `npx nx run predict:build`) in the repository first.');
  process.exit(1);
}
await import(main.href);
