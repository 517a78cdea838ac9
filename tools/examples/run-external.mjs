#!/usr/bin/env node
// Runs examples/detect-image as a project OUTSIDE the workspace would: builds the libraries it needs, packs them with
// `npm pack`, installs the tarballs plus @tensorflow/tfjs-core (the consumer's one copy of the peer dependency) and a
// TypeScript compiler from the registry into a scratch project in the OS temp dir, type-checks it against the packed
// .d.ts files, makes a stand-in checkpoint, runs detection on a sample image and checks what it prints.
// Exit code 0 = everything held; otherwise a one-line reason (and the scratch dir is kept for inspection).
//
// Usage: node tools/examples/run-external.mjs [--weights <file.vckpt|.pt>] [--image <file>] [--conf <x>] [--keep] [--no-build]
// Env: VIGIL_BACKEND (passed through to the example), npm's usual registry settings.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkDetectOutput, Failure } from './check-output.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const template = join(root, 'examples', 'detect-image');
/** Packages the example imports; their @vigil/* dependencies are added automatically. */
const ENTRY_LIBS = ['yolov5', 'dataset', 'runtime'];
const DEFAULT_IMAGE = join(root, 'data-samples', 'getty-pets', 'images', 'val', 'val_0000.jpg');
/** The stand-in checkpoint is untrained: its scores sit near the class priors (~0.02), so list what passes 0.01. */
const DEFAULT_CONF_STAND_IN = '0.01';

const { values: opts } = parseArgs({
  options: {
    weights: { type: 'string' },
    image: { type: 'string' },
    conf: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

const started = Date.now();
const log = (msg) => console.log(`[example] ${msg}`);
let scratch;

function fail(msg) {
  throw new Failure(msg);
}

/** Runs a command, echoing it; returns stdout. Fails with the command's output when it exits non-zero. */
function run(cmd, args, { cwd = root, capture = false, env, label } = {}) {
  const where = cwd === root ? '' : ` (in ${relative(scratch ?? cwd, cwd) || '.'})`;
  log(label ?? `$ ${cmd} ${args.join(' ')}${where}`);
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...env },
    maxBuffer: 64 << 20,
  });
  if (r.error) fail(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) {
    if (capture) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    fail(`\`${cmd} ${args.join(' ')}\` exited with ${r.status ?? r.signal}`);
  }
  if (capture && r.stderr) process.stderr.write(r.stderr);
  return r.stdout ?? '';
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Workspace libs by package name, and the closure of `names` over their @vigil/* dependencies. */
function libClosure(names) {
  const libs = new Map();
  for (const dir of readdirSync(join(root, 'libs'))) {
    const pj = join(root, 'libs', dir, 'package.json');
    if (existsSync(pj)) libs.set(readJson(pj).name, { dir: join('libs', dir), pkg: readJson(pj) });
  }
  const out = new Map();
  const visit = (name) => {
    if (out.has(name)) return;
    const lib = libs.get(name);
    if (!lib) fail(`${name} is not a library of this workspace`);
    out.set(name, lib);
    for (const dep of Object.keys({ ...lib.pkg.dependencies, ...lib.pkg.peerDependencies })) if (dep.startsWith('@vigil/')) visit(dep);
  };
  for (const n of names) visit(`@vigil/${n}`);
  return out;
}

/** Every installed copy of `pkg` below `dir`/node_modules (nested ones included). */
function installedCopies(dir, pkg) {
  const found = [];
  const walk = (nm) => {
    if (!existsSync(nm)) return;
    for (const e of readdirSync(nm, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const scoped = e.name.startsWith('@') ? readdirSync(join(nm, e.name)).map((s) => `${e.name}/${s}`) : [e.name];
      for (const name of scoped) {
        const p = join(nm, name);
        if (name === pkg) found.push(p);
        walk(join(p, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

/** Width and height of a JPEG/PNG/WebP/BMP from its header, with the installed sharp (the consumer's copy). */
function imageSize(app, file) {
  const out = run('node', ['--input-type=module', '-e', `import sharp from 'sharp'; const m = await sharp(${JSON.stringify(file)}).metadata(); console.log(JSON.stringify([m.autoOrient?.width ?? m.width, m.autoOrient?.height ?? m.height]));`], { cwd: app, capture: true, label: `reading the size of ${file}` });
  return JSON.parse(out.trim().split('\n').pop());
}

try {
  const weights = opts.weights ? resolve(opts.weights) : undefined;
  const image = resolve(opts.image ?? DEFAULT_IMAGE);
  if (!existsSync(image)) fail(`image ${image} not found`);
  if (weights && !existsSync(weights)) fail(`weights ${weights} not found`);
  const libs = libClosure(ENTRY_LIBS);
  const names = [...libs.keys()];
  log(`packages: ${names.join(', ')}`);
  const rootPkg = readJson(join(root, 'package.json'));
  const tfjsCore = `@tensorflow/tfjs-core@${libs.get('@vigil/yolov5').pkg.peerDependencies['@tensorflow/tfjs-core']}`;
  const tools = ['typescript', '@types/node'];

  // 1. Build.
  if (!opts['no-build']) run('npx', ['nx', 'run-many', '-t', 'build', '-p', ...[...libs.values()].map((l) => l.pkg.nx.name), '--outputStyle=static']);

  // 2. Scratch project outside the workspace.
  scratch = realpathSync(mkdtempSync(join(tmpdir(), 'vigil-example-')));
  if (!relative(realpathSync(root), scratch).startsWith('..')) fail(`the temp dir ${scratch} is inside the workspace ${root}; set TMPDIR elsewhere`);
  log(`scratch project: ${scratch}`);
  const tarDir = join(scratch, 'tarballs');
  const app = join(scratch, 'app');
  mkdirSync(tarDir);

  // 3. Pack.
  const packed = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', tarDir, ...[...libs.values()].flatMap((l) => ['-w', l.dir])], { capture: true }),
  );
  for (const p of packed) {
    const files = p.files.map((f) => f.path);
    if (!files.includes('dist/index.js') || !files.includes('dist/index.d.ts')) fail(`${p.name}'s tarball lacks dist/index.js or dist/index.d.ts (was it built?)`);
    if (files.some((f) => f.startsWith('src/'))) fail(`${p.name}'s tarball ships src/ (check "files" in its package.json)`);
    log(`packed ${p.filename}: ${p.entryCount} files, ${(p.size / 1024).toFixed(0)} kB`);
  }

  // 4. Template + sample image, then install from the tarballs and the registry.
  cpSync(template, app, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
  const imageName = `image-${basename(image)}`;
  cpSync(image, join(app, imageName));
  // The compiler and Node types are dev dependencies of the consumer (same versions as the workspace's).
  const appPkgFile = join(app, 'package.json');
  const templatePkg = readJson(appPkgFile);
  templatePkg.devDependencies = Object.fromEntries(tools.map((p) => [p, rootPkg.devDependencies[p]]));
  writeFileSync(appPkgFile, `${JSON.stringify(templatePkg, null, 2)}\n`);
  const tarballs = packed.map((p) => join(tarDir, p.filename));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--save-exact', ...tarballs, tfjsCore], { cwd: app });

  // 5. Peer dependency and provenance checks.
  const tfCopies = installedCopies(app, '@tensorflow/tfjs-core');
  if (tfCopies.length !== 1) fail(`expected exactly one @tensorflow/tfjs-core, found ${tfCopies.length}: ${tfCopies.map((p) => relative(app, p)).join(', ')}`);
  const appPkg = readJson(appPkgFile);
  if (!appPkg.dependencies?.['@tensorflow/tfjs-core']) fail('@tensorflow/tfjs-core is not a direct dependency of the consumer');
  const lock = readJson(join(app, 'package-lock.json'));
  for (const name of names) {
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) fail(`${name} is not installed in the scratch project`);
    if (!String(entry.resolved ?? '').startsWith('file:')) fail(`${name} came from ${entry.resolved ?? 'the registry'}, not from the packed tarball`);
    const nested = installedCopies(app, name);
    if (nested.length !== 1) fail(`expected one copy of ${name}, found ${nested.length}`);
  }
  log(`one @tensorflow/tfjs-core (${readJson(join(tfCopies[0], 'package.json')).version}, the consumer's); ${names.join(', ')} from the tarballs`);

  // 6. Type-check against the packed .d.ts (skipLibCheck off), then compile.
  run('npx', ['tsc', '--noEmit'], { cwd: app });
  run('npx', ['tsc'], { cwd: app });

  // 7. Checkpoint (a seeded stand-in unless --weights) and detection.
  let ckpt = 'model.vckpt';
  if (weights) {
    ckpt = `weights-${basename(weights)}`;
    cpSync(weights, join(app, ckpt));
  } else {
    process.stdout.write(run('node', ['dist/make-checkpoint.js', ckpt], { cwd: app, capture: true }));
  }
  const conf = opts.conf ?? (weights ? '0.25' : DEFAULT_CONF_STAND_IN);
  const out = run('node', ['dist/detect.js', ckpt, imageName, conf], { cwd: app, capture: true });
  process.stdout.write(`${out.trimEnd().replace(/^/gm, '  | ')}\n`);

  // 8. Check the output: names from the checkpoint, boxes inside the image.
  const ckNames = JSON.parse(
    run('node', ['--input-type=module', '-e', `import { initBackend } from '@vigil/runtime'; import { loadModelFile } from '@vigil/yolov5'; await initBackend({ prefer: 'cpu', log: false }); console.log(JSON.stringify(loadModelFile(${JSON.stringify(ckpt)}).model.names));`], {
      cwd: app,
      capture: true,
      label: 'reading the class names from the checkpoint',
    }).trim(),
  );
  const [w, h] = imageSize(app, imageName);
  const n = checkDetectOutput(out, ckNames, w, h);
  log(`OK: ${n} detection(s) on ${basename(image)} (${w}×${h}) with classes from the checkpoint, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (opts.keep) log(`kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
} catch (e) {
  const msg = e instanceof Failure ? e.message : (e?.stack ?? String(e));
  console.error(`[example] FAILED: ${msg}`);
  if (scratch) console.error(`[example] scratch project kept for inspection: ${scratch}`);
  process.exit(1);
}
