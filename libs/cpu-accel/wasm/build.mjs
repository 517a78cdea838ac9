#!/usr/bin/env node
// Compiles kernels.c to kernels.wasm (committed: users need no compiler). Needs clang + wasm-ld (Debian: clang lld).
//   node libs/cpu-accel/wasm/build.mjs
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = [
  '--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-mmutable-globals', '-nostdlib', '-ffreestanding',
  '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--export=__stack_pointer', '-Wl,-z,stack-size=65536',
  '-o', join(here, 'kernels.wasm'), join(here, 'kernels.c'),
];
const r = spawnSync('clang', args, { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`built ${join(here, 'kernels.wasm')}`);
