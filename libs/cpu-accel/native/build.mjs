#!/usr/bin/env node
// Builds the optional native addon (oneDNN kernels) on the machine that runs it (it is compiled with -march=native).
//
//   node native/build.mjs                 build; exit 1 if it cannot be built (explicit `npm run build:native`)
//   node native/build.mjs --if-possible   never fails: skips with one line when oneDNN / node-gyp / headers are
//                                         missing or the compile fails (used by the package's `install` script
//                                         and by tools/setup.mjs); also skips when an up-to-date build loads.
//   --force                               rebuild even when up to date
//
// Needs: Debian's libdnnl-dev (oneDNN 2.x; or DNNL_ROOT=<prefix> with include/ and lib/), g++, node-gyp (npm's bundled
// copy is used) and Node's headers (found next to the node binary, e.g. /usr/include/node: no download).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const soft = args.has('--if-possible');
const out = join(here, 'build', 'Release', 'vigil_cpu_accel.node');
const say = (msg) => console.log(`[@vigil/cpu-accel] ${msg}`);

function skip(why) {
  say(`native oneDNN kernels not built: ${why}. The portable wasm path will be used (slower); see libs/cpu-accel/README.md.`);
  process.exit(soft ? 0 : 1);
}

function findDnnl() {
  const roots = [process.env.DNNL_ROOT, '/usr', '/usr/local', '/opt/homebrew'].filter(Boolean);
  return roots.find((r) => existsSync(join(r, 'include', 'oneapi', 'dnnl', 'dnnl.hpp')));
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  if (npmRoot.status === 0) candidates.push(join(npmRoot.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => c && existsSync(c));
}

function findNodeDir() {
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function loads() {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(out)})`], { stdio: 'ignore' });
  return r.status === 0;
}

function upToDate() {
  if (!existsSync(out)) return false;
  const built = statSync(out).mtimeMs;
  const sources = [join(here, 'binding.gyp'), ...readdirSync(join(here, 'src')).map((f) => join(here, 'src', f))];
  return sources.every((s) => statSync(s).mtimeMs <= built) && loads();
}

if (process.env.VIGIL_CPU_ACCEL_NATIVE === '0') skip('VIGIL_CPU_ACCEL_NATIVE=0');
if (!args.has('--force') && soft && upToDate()) {
  say('native oneDNN kernels already built and loadable');
  process.exit(0);
}
if (process.platform !== 'linux') skip(`platform ${process.platform} is not supported yet (Linux only)`);
const dnnl = findDnnl();
if (!dnnl) skip('oneDNN headers not found (install Debian/Ubuntu `libdnnl-dev`, or set DNNL_ROOT)');
try {
  createRequire(import.meta.url).resolve('node-addon-api');
} catch {
  skip('the node-addon-api package is not installed');
}
const gyp = findNodeGyp();
if (!gyp) skip('node-gyp not found (it ships with npm)');
const nodedir = findNodeDir();
if (!nodedir) skip(`Node headers not found next to ${process.execPath} (install the nodejs dev headers)`);

say(`building native oneDNN kernels (oneDNN in ${dnnl}; ~1 min)`);
const env = { ...process.env };
if (dnnl !== '/usr') {
  env.CXXFLAGS = `${env.CXXFLAGS ?? ''} -I${join(dnnl, 'include')}`;
  env.LDFLAGS = `${env.LDFLAGS ?? ''} -L${join(dnnl, 'lib')} -Wl,-rpath,${join(dnnl, 'lib')}`;
}
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=2'], { cwd: here, env, encoding: 'utf8' });
if (r.status !== 0) {
  const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  console.log(tail);
  skip(`the compile failed (exit ${r.status ?? r.signal}; output above)`);
}
if (!loads()) skip('the built addon does not load (missing libdnnl.so at run time?)');
say(`native oneDNN kernels built: ${out}`);
