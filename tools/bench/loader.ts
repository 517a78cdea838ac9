/**
 * Loader throughput: images/s through `YoloDataset.batches` on the synthetic 640×480 set converted to the YOLO layout,
 * against the original in Python on the same files (when /usr/bin/python3 has cv2 + torch and SEED_SRC points at the
 * original), same command, runs alternating.
 *
 * --mode letterbox (validation path): load → letterbox → collate to [B,H,W,3] float32; baseline: `__getitem__`'s
 *   letterbox path (cv2.imread + load_image + letterbox + BGR→RGB + /255, one process).
 * --mode mosaic (training path, as vigil-train runs it): the training hook `trainSampleAugment(hyp.scratch-p6)` —
 *   mosaic 1.0 (4 loads + random_perspective) + HSV + flips — then collate; baseline: `LoadImagesAndLabels` with
 *   augment=True and the same hyp file, `__getitem__` + `collate_fn` + `.float() / 255` (the training loop's cast), in
 *   one process and through the original's DataLoader with its worker count on this machine (min(cpus, batch, 8)).
 * Also prints how much of the JS thread the loader keeps busy (event-loop utilisation → ms per image): training runs
 * on that thread, so this is what the loader takes from it.
 *
 * --train <cfg> (with --mode mosaic): whether the loader keeps up with training — training steps of that model (the
 *   accelerated CPU path with the fused kernels, as vigil-train; forward + ComputeLoss + backward + SGD) fed by the
 *   loader, against the same steps on one fixed batch (no loading), alternating; `--steps` each, `--train-reps` times.
 *
 *   SEED_SRC=/tmp/seed node --conditions=@vigil/source --import tsx tools/bench/loader.ts [--mode mosaic] [--n 400] [--img 640] [--batch 8] [--reps 3] [--plot file.jpg] [--train yolov5n6 --steps 6 --train-reps 2]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus, tmpdir } from 'node:os';
import { trainSampleAugment } from '@vigil/augment';
import * as tf from '@tensorflow/tfjs-core';
import { HYP_SCRATCH_P6 } from '@vigil/core';
import { initBackend } from '@vigil/runtime';
import { GroupedOptimizer, lossAndGrads } from '@vigil/trainer';
import { YoloModel, loadSpec, resolveSpecPath } from '@vigil/yolov5';
import { ensureSyntheticData, prepareData, savePlotBatch, YoloDataset, type AugmentFn } from '@vigil/dataset';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '400' },
    img: { type: 'string', default: '640' },
    batch: { type: 'string', default: '8' },
    reps: { type: 'string', default: '3' },
    plot: { type: 'string' },
    mode: { type: 'string', default: 'letterbox' },
    train: { type: 'string' },
    steps: { type: 'string', default: '6' },
    'train-reps': { type: 'string', default: '2' },
  },
});
const N = Number(values.n);
const IMG = Number(values.img);
const BS = Number(values.batch);
const REPS = Number(values.reps);
const MODE = values.mode!;
if (MODE !== 'letterbox' && MODE !== 'mosaic') throw new Error(`--mode must be letterbox or mosaic, got ${MODE}`);
const root = join(tmpdir(), `vigil-bench-loader-${N}`);

await ensureSyntheticData(join(root, 'raw'), { train: N, test: 0, seed: 2 });
const trainImages = join(root, 'yolo', 'drowsy_face', 'images', 'train');
const marker = await readFile(join(root, 'yolo', 'drowsy_face', 'prepare_report.json'), 'utf8').catch(() => '');
if (!marker) await prepareData({ trainDir: join(root, 'raw', 'task03_train'), outDir: join(root, 'yolo'), valCount: 0 });
const ds = await YoloDataset.open(trainImages, { imgSize: IMG, augment: true });
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const what = MODE === 'mosaic' ? `mosaic (hyp.scratch-p6: mosaic 1.0, HSV, flips) → ${IMG}×${IMG}` : `${IMG}×${IMG} letterbox`;
console.log(`loader benchmark (${MODE}): ${ds.length} images 640×480 → ${what}, batch ${BS}; load average ${load()}`);
const augment: AugmentFn | undefined = MODE === 'mosaic' ? trainSampleAugment(HYP_SCRATCH_P6, IMG) : undefined;

/** One pass over the set: images/s and the JS thread's busy time per image. */
async function ours(rep: number): Promise<{ rate: number; busyMs: number }> {
  const t = performance.now();
  const elu0 = performance.eventLoopUtilization();
  let n = 0;
  let first = true;
  // as vigil-train's trainSource / valBatches: recycled image arrays (a batch is done with when the next one is asked for)
  for await (const b of ds.batches({ batchSize: BS, prefetch: 2, concurrency: 4, augment, seed: 1, epoch: rep, reuseImages: true })) {
    n += b.shape[0];
    if (first && rep === 0 && values.plot) await savePlotBatch(values.plot, b.images, b.shape, b.targets.subarray(0, b.numTargets * 6), { files: b.files });
    first = false;
  }
  const elu = performance.eventLoopUtilization(elu0);
  return { rate: n / ((performance.now() - t) / 1000), busyMs: elu.active / n };
}

const PY_LETTERBOX = String.raw`
import glob, os, sys, time, json
import numpy as np, cv2
sys.path.insert(0, os.environ['SEED_SRC'])
from utils.datasets import letterbox
cv2.setNumThreads(0)
files = sorted(glob.glob(os.path.join(sys.argv[1], '*.jpg')))
img_size = int(sys.argv[2])
t = time.perf_counter()
for f in files:
    img = cv2.imread(f)
    h0, w0 = img.shape[:2]
    r = img_size / max(h0, w0)
    if r != 1:
        img = cv2.resize(img, (int(w0 * r), int(h0 * r)), interpolation=cv2.INTER_LINEAR)
    img, ratio, pad = letterbox(img, img_size, auto=False, scaleup=True)
    x = np.ascontiguousarray(img[:, :, ::-1].transpose(2, 0, 1)).astype(np.float32) / 255.0
print(json.dumps({'one': len(files) / (time.perf_counter() - t)}))
`;

// The original's training data path: LoadImagesAndLabels(augment=True, hyp) → __getitem__ (load_mosaic,
// random_perspective, augment_hsv, flips, HWC→CHW) → collate_fn → imgs.float() / 255 (train.py), one process and
// through a DataLoader with the original's worker count on this machine.
const PY_MOSAIC = String.raw`
import os, sys, time, json, random, logging
import numpy as np, yaml, torch
sys.path.insert(0, os.environ['SEED_SRC'])
logging.disable(logging.WARNING)
np.int, np.float = int, float  # aliases the 2021 code uses, removed in numpy 1.24
from utils.general import init_seeds
from utils.datasets import LoadImagesAndLabels
images, img_size, bs, rep, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
hyp = yaml.safe_load(open(os.path.join(os.environ['SEED_SRC'], 'data', 'hyp.scratch-p6.yaml')))
torch.set_num_threads(1)
ds = LoadImagesAndLabels(images, img_size, bs, augment=True, hyp=hyp, rect=False, stride=64)
n = len(ds)
init_seeds(rep)
out = {}
t = time.perf_counter()
for b in range(0, n, bs):
    imgs, labels, paths, shapes = LoadImagesAndLabels.collate_fn([ds[i] for i in range(b, min(n, b + bs))])
    x = imgs.float() / 255.0
out['one'] = n / (time.perf_counter() - t)
if workers > 0:
    dl = torch.utils.data.DataLoader(ds, batch_size=bs, num_workers=workers, shuffle=False, pin_memory=False, collate_fn=LoadImagesAndLabels.collate_fn)
    t = time.perf_counter()
    for imgs, labels, paths, shapes in dl:
        x = imgs.float() / 255.0
    out['workers'] = n / (time.perf_counter() - t)
print(json.dumps(out))
`;
// the original's DataLoader worker count: min(os.cpu_count(), batch_size, opt.workers = 8)
const WORKERS = Math.min(cpus().length, BS, 8);

function python(rep: number): { one: number; workers?: number } | string {
  if (!process.env['SEED_SRC']) return 'SEED_SRC not set';
  const args = MODE === 'mosaic' ? ['-c', PY_MOSAIC, trainImages, String(IMG), String(BS), String(rep), String(WORKERS)] : ['-c', PY_LETTERBOX, trainImages, String(IMG)];
  const py = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env: { ...process.env } });
  if (py.status !== 0) return `failed: ${py.stderr.trim().split('\n').pop()}`;
  return JSON.parse(py.stdout.trim().split('\n').pop()!) as { one: number; workers?: number };
}

const rates: number[] = [];
const busy: number[] = [];
const pyOne: number[] = [];
const pyWorkers: number[] = [];
let pyNote = '';
for (let r = 0; r < REPS; r++) {
  const o = await ours(r);
  rates.push(o.rate);
  busy.push(o.busyMs);
  const p = python(r);
  if (typeof p === 'string') pyNote = p;
  else {
    pyOne.push(p.one);
    if (p.workers !== undefined) pyWorkers.push(p.workers);
  }
  const pyText = typeof p === 'string' ? 'skipped' : `${p.one.toFixed(0)}${p.workers !== undefined ? ` (DataLoader ${WORKERS} workers: ${p.workers.toFixed(0)})` : ''}`;
  console.log(`  rep ${r + 1}: ours ${o.rate.toFixed(1)} images/s (JS thread busy ${o.busyMs.toFixed(1)} ms/image), original ${pyText} images/s (load ${load()})`);
}
const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} images/s of ${xs.length} [${xs.map((x) => x.toFixed(1)).join(', ')}]`;
console.log(`ours: ${fmt(rates)}; JS thread busy median ${median(busy).toFixed(1)} ms/image`);
if (pyOne.length === 0) console.log(`original: skipped (${pyNote})`);
else {
  console.log(`original, 1 process: ${fmt(pyOne)} → ratio ${(median(rates) / median(pyOne)).toFixed(2)}×`);
  if (pyWorkers.length > 0) console.log(`original, DataLoader ${WORKERS} workers: ${fmt(pyWorkers)} → ratio ${(median(rates) / median(pyWorkers)).toFixed(2)}×`);
}

if (values.train) {
  if (MODE !== 'mosaic') throw new Error('--train needs --mode mosaic');
  const STEPS = Number(values.steps);
  const choice = await initBackend({ prefer: 'accel' });
  const specPath = resolveSpecPath(values.train);
  if (!specPath) throw new Error(`unknown model spec ${values.train}`);
  const model = YoloModel.create(loadSpec(specPath, { nc: 7 }), { seed: 0 });
  const vars = [...model.variables()].filter(([n]) => !n.endsWith('running_mean') && !n.endsWith('running_var')).map(([, v]) => v);
  const opt = new GroupedOptimizer(vars, { lr: 0.01, momentum: 0.937, weightDecay: 5e-4 });
  const lossOpts = { anchors: model.anchors, strides: model.strides, nc: 7, hyp: HYP_SCRATCH_P6, imgSize: IMG };
  const step = (b: { images: Float32Array; shape: [number, number, number, number]; targets: Float32Array; numTargets: number }) => {
    const x = tf.tensor4d(b.images, b.shape);
    let r;
    try {
      r = lossAndGrads(() => model.forwardTrain(x), b.targets.subarray(0, b.numTargets * 6), { ...lossOpts, batch: b.shape[0] }, vars);
    } finally {
      x.dispose();
    }
    opt.step(r.grads);
    tf.dispose(Object.values(r.grads));
  };
  let fixed: { images: Float32Array; shape: [number, number, number, number]; targets: Float32Array; numTargets: number } | undefined;
  for await (const b of ds.batches({ batchSize: BS, augment, seed: 9, indices: Array.from({ length: BS }, (_, i) => i) })) fixed = { ...b, images: b.images.slice() };
  console.log(`training ${values.train} at ${IMG}, batch ${BS} (${choice.kind} backend${choice.kind === 'accel' ? ', fused Conv+BN+SiLU kernels' : ''}), ${STEPS} timed steps per phase`);
  step(fixed!); // warm-up
  const fixedSteps = (): number[] => {
    const ts: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      const t = performance.now();
      step(fixed!);
      ts.push(performance.now() - t);
    }
    return ts;
  };
  /** Steps fed by the loader: each time = waiting for the batch + the step (the first batch's wait is not counted). */
  const loaderSteps = async (epoch: number): Promise<number[]> => {
    const ts: number[] = [];
    const indices = Array.from({ length: (STEPS + 1) * BS }, (_, i) => (i * 7 + epoch * 13) % ds.length);
    let t = -1;
    for await (const b of ds.batches({ batchSize: BS, indices, augment, seed: 1, epoch, prefetch: 2, concurrency: 4, reuseImages: true })) {
      step(b);
      const now = performance.now();
      if (t >= 0) ts.push(now - t);
      t = now;
    }
    return ts;
  };
  const a: number[] = [];
  const bl: number[] = [];
  for (let r = 0; r < Number(values['train-reps']); r++) {
    a.push(...fixedSteps());
    bl.push(...(await loaderSteps(r)));
  }
  const ipsA = BS / (median(a) / 1000);
  const ipsB = BS / (median(bl) / 1000);
  console.log(`  fixed batch (training alone): median ${median(a).toFixed(0)} ms/step = ${ipsA.toFixed(2)} images/s`);
  console.log(`  fed by the loader (mosaic):   median ${median(bl).toFixed(0)} ms/step = ${ipsB.toFixed(2)} images/s → ${(100 * (ipsA / ipsB - 1)).toFixed(1)} % slower (load ${load()})`);
}
