#!/usr/bin/env node
// Compiles kernels.c twice (both committed: users need no compiler). Needs clang + wasm-ld (Debian: clang lld).
//   kernels.wasm    — imports a plain memory: runs in place on the tfjs wasm backend's heap;
//   kernels-mt.wasm — imports a shared memory: the threaded path (worker threads share one memory).
//   node libs/cpu-accel/wasm/build.mjs
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const common = [
  '--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-mmutable-globals', '-nostdlib', '-ffreestanding',
  '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--export=__stack_pointer', '-Wl,-z,stack-size=65536',
];
const builds = [
  ['kernels.wasm', []],
  ['kernels-mt.wasm', ['-matomics', '-Wl,--shared-memory', '-Wl,--max-memory=2147483648']],
];
for (const [out, extra] of builds) {
  const r = spawnSync('clang', [...common, ...extra, '-o', join(here, out), join(here, 'kernels.c')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log(`built ${join(here, out)}`);
}
