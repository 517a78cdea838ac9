/**
 * End-to-end prediction benchmark (issue 8): 2 models + TTA on N synthetic test images, our `vigil-predict` CLI
 * (a child process on the TypeScript source: start-up, load + fuse both models, read sizes, rect batches, letterbox,
 * TTA, concat-NMS, JSON; wall time of the whole process) against the
 * original's predict.py `test()` (PyTorch, CPU, 2 threads) on the same images and the same `.pt` weights, in the same
 * command. Both outputs are compared (same boxes: class + IoU ≥ 0.99 + |Δconf| ≤ 1e-3).
 * The weights are seeded yolov5n6-size models made by the original's code (tools/bench/predict_torch.py make); they
 * are created on first use in --dir, as is the synthetic set (test split only, 640×480).
 *
 *   SEED_SRC=/tmp/seed node --conditions=@vigil/source --import tsx tools/bench/predict.ts \
 *     [--n 200] [--img 640] [--batch 4] [--cfg n6] [--dir /tmp/vigil-bench-predict] [--backend auto] [--no-tta]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureSyntheticData, listImageFiles } from '@vigil/dataset';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    img: { type: 'string', default: '640' },
    batch: { type: 'string', default: '4' },
    cfg: { type: 'string', default: 'n6' },
    dir: { type: 'string', default: '/tmp/vigil-bench-predict' },
    backend: { type: 'string', default: 'auto' },
    'no-tta': { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const IMG = Number(values.img);
const BATCH = Number(values.batch);
const TTA = !values['no-tta'];
const DIR = values.dir!;
const seed = process.env['SEED_SRC'];
const pyScript = fileURLToPath(new URL('./predict_torch.py', import.meta.url));

mkdirSync(DIR, { recursive: true });
const synth = join(DIR, 'synthetic');
await ensureSyntheticData(synth, { train: 1, test: N, seed: 11 });
const imagesDir = join(synth, 'task03_test', 'images');
const files = await listImageFiles(imagesDir);
const weights = [join(DIR, `${values.cfg}-a.pt`), join(DIR, `${values.cfg}-b.pt`)];
for (const [k, w] of weights.entries()) {
  if (existsSync(w)) continue;
  if (!seed) throw new Error(`${w} is missing: set SEED_SRC to the original's checkout so that predict_torch.py can make it`);
  const r = spawnSync('/usr/bin/python3', [pyScript, 'make', w, String(k + 1), values.cfg!, String(IMG), files[0]!], { encoding: 'utf8', env: { ...process.env } });
  if (r.status !== 0) throw new Error(r.stderr);
}

console.log(`predict benchmark: ${files.length} images 640×480, 2 × ${values.cfg} (.pt), img ${IMG}, batch ${BATCH}, TTA ${TTA ? 'on' : 'off'}, conf 0.006, IoU 0.7`);
// ours: the CLI as a user runs it
const main = fileURLToPath(new URL('../../apps/predict/src/main.ts', import.meta.url));
const args = ['--conditions=@vigil/source', '--import', 'tsx', main, '--weights', ...weights, '--source', imagesDir, '--img-size', String(IMG)];
args.push('--batch-size', String(BATCH), '--project', DIR, '--name', 'ours', '--backend', values.backend!, '--no-progress');
if (!TTA) args.push('--no-augment');
const t0 = performance.now();
const mine = spawnSync(process.execPath, args, { encoding: 'utf8' });
const ours = (performance.now() - t0) / 1000;
if (mine.status !== 0) throw new Error(mine.stderr.slice(-3000));
const oursFile = join(DIR, 'ours', `${values.cfg}-a_predictions.json`);
const backendLine = mine.stderr.split('\n').find((l) => l.startsWith('[vigil] backend')) ?? '';
console.log(backendLine);
console.log(`vigil:    ${ours.toFixed(1)} s (${((ours * 1000) / files.length).toFixed(0)} ms/image) — ${mine.stdout.split('\n').find((l) => l.startsWith('Speed:')) ?? ''}`);

// the original
if (!seed) {
  console.log('original: skipped (SEED_SRC not set)');
} else {
  const r = spawnSync('/usr/bin/python3', [pyScript, 'run', imagesDir, String(IMG), String(BATCH), TTA ? '1' : '0', join(DIR, 'torch'), ...weights], {
    encoding: 'utf8',
    env: { ...process.env },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(r.stderr.slice(-3000));
  const last = r.stdout.trim().split('\n').pop()!;
  const { seconds, out } = JSON.parse(last) as { seconds: number; out: string };
  const speed = r.stdout.split('\n').find((l) => l.startsWith('Speed:'));
  console.log(`original: ${seconds.toFixed(1)} s (${((seconds * 1000) / files.length).toFixed(0)} ms/image) — ${speed ?? ''}`);
  console.log(`ratio: vigil is ${(seconds / ours).toFixed(2)}× the original's speed`);
  // same predictions?
  type Obj = { class: string; position: number[]; confidence_score: number };
  type Doc = { annotations: { file_name: string; objects: Obj[] | Record<string, never> }[] };
  const a = JSON.parse(readFileSync(oursFile, 'utf8')) as Doc;
  const b = JSON.parse(readFileSync(out, 'utf8')) as Doc;
  const mine = new Map(a.annotations.map((x) => [x.file_name, Array.isArray(x.objects) ? x.objects : []]));
  let total = 0;
  let matched = 0;
  const iou = (p: number[], q: number[]) => {
    const iw = Math.max(0, Math.min(p[2]!, q[2]!) - Math.max(p[0]!, q[0]!));
    const ih = Math.max(0, Math.min(p[3]!, q[3]!) - Math.max(p[1]!, q[1]!));
    const u = (p[2]! - p[0]!) * (p[3]! - p[1]!) + (q[2]! - q[0]!) * (q[3]! - q[1]!) - iw * ih;
    return u > 0 ? (iw * ih) / u : 1;
  };
  for (const x of b.annotations) {
    const ro = [...(mine.get(x.file_name) ?? [])];
    for (const o of Array.isArray(x.objects) ? x.objects : []) {
      total++;
      const k = ro.findIndex((p) => p.class === o.class && Math.abs(p.confidence_score - o.confidence_score) <= 1e-3 && iou(p.position, o.position) >= 0.99);
      if (k >= 0) {
        matched++;
        ro.splice(k, 1);
      }
    }
  }
  const identical = readFileSync(oursFile, 'utf8') === readFileSync(out, 'utf8');
  console.log(`outputs: ${matched}/${total} of the original's detections matched (class, IoU ≥ 0.99, |Δconf| ≤ 1e-3); byte-identical file: ${identical}`);
}
