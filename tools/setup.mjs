#!/usr/bin/env node
// One-step set-up for a fresh clone (used by the README's quick-start commands and by .ci/run):
//  1. system packages: Debian's libdnnl-dev (oneDNN) for the native CPU kernels, and libvulkan1 + chromium (whose
//     SwiftShader Vulkan driver gives the webgpu backend a software adapter for its tests), when running as root with apt;
//     otherwise prints the command and continues (the portable CPU path needs nothing);
//  2. npm dependencies (`npm ci`) when node_modules is missing or older than package-lock.json, then the native CPU
//     kernels (libs/cpu-accel/native, skipped with one line when oneDNN is missing);
//  3. builds the libraries and apps (so `npx vigil-train` / `npx vigil-predict` work).
// Flags: --no-build, --no-system, --verbose (show the commands' output instead of logging it).
// Env: VIGIL_SKIP_APT=1 skips step 1.
// Prints one line per step; what apt, npm, node-gyp and nx print goes to tmp/setup.log, shown when a step fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const verbose = args.has('--verbose');
const log = (msg) => console.log(`[setup] ${msg}`);
const logFile = join(root, 'tmp', 'setup.log');
mkdirSync(dirname(logFile), { recursive: true });
writeFileSync(logFile, `vigil set-up ${new Date().toISOString()}\n`);

/** Runs a step's command; its output goes to the log (or the terminal with --verbose); on failure the log's tail is shown. */
function run(cmd, cmdArgs, opts = {}) {
  appendFileSync(logFile, `\n$ ${cmd} ${cmdArgs.join(' ')}\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, ...opts, stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  if (!verbose) appendFileSync(logFile, `${r.stdout ?? ''}${r.stderr ?? ''}`);
  if (r.status !== 0) {
    if (!verbose) {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n');
      console.error(tail);
    }
    console.error(`[setup] failed: ${cmd} ${cmdArgs.join(' ')} (exit ${r.status ?? r.signal}; full output in ${relative(process.cwd(), logFile) || logFile})`);
    process.exit(r.status || 1);
  }
  return r;
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`[setup] Node ${process.versions.node} is too old: Vigil needs Node >= 20.19.`);
  process.exit(1);
}

// 1. System packages.
const SYSTEM_PACKAGES = ['libdnnl-dev', 'libvulkan1', 'chromium'];
function dpkgInstalled(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('install ok installed');
  } catch {
    return false;
  }
}
if (!args.has('--no-system') && process.env.VIGIL_SKIP_APT !== '1' && process.platform === 'linux') {
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get && command -v dpkg-query'], { stdio: 'ignore' }).status === 0;
  const missing = hasApt ? SYSTEM_PACKAGES.filter((p) => !dpkgInstalled(p)) : [];
  if (!hasApt) {
    log('no apt-get here: the native oneDNN kernels need oneDNN (libdnnl) installed by hand; continuing on the portable CPU path.');
  } else if (missing.length === 0) {
    log(`system packages present: ${SYSTEM_PACKAGES.join(' ')}`);
  } else if (process.getuid?.() === 0) {
    log(`installing system packages: ${missing.join(' ')}`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } else {
    log(`optional: \`sudo apt-get install -y ${missing.join(' ')}\` enables the fast native CPU kernels (libdnnl-dev) and SwiftShader for the webgpu tests (libvulkan1, chromium); continuing without.`);
  }
}

// 2. npm dependencies.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
} else {
  log('npm dependencies up to date');
}

// 2b. Native CPU kernels (oneDNN addon of @vigil/cpu-accel), built for this machine. Its install script already ran
// during `npm ci`; this covers oneDNN installed afterwards (step 1 on a machine that already had node_modules).
// Never fails: without oneDNN the portable CPU path is used.
const native = run(process.execPath, [join(root, 'libs', 'cpu-accel', 'native', 'build.mjs'), '--if-possible']);
const nativeLine = `${native.stdout ?? ''}`.split('\n').filter((l) => l.startsWith('[@vigil/cpu-accel]')).pop();
if (nativeLine) log(nativeLine.replace('[@vigil/cpu-accel] ', 'cpu-accel: '));

// 3. Build libraries and apps.
if (!args.has('--no-build')) {
  log('building libraries and apps (nx run-many -t build)');
  run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);
}
log(`done (details in ${relative(process.cwd(), logFile) || logFile})`);
