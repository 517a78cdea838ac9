/**
 * Augmentation benchmark: the training pipeline for one sample at 640 — mosaic-4 + random_perspective (border −320)
 * + HSV + flips with hyp.scratch-p6 (hsv_v 0.4, translate 0.1, scale 0.9, fliplr 0.5, mosaic 1) — on 640×480 images
 * already in memory (decoding is the loader's). In the same run, the original's Python pipeline on the same images
 * and boxes (`load_mosaic` + `augment_hsv` + the flips of `__getitem__`, OpenCV single-threaded as the original
 * sets it), when /usr/bin/python3 with cv2 and a checkout of the original are available (SEED_SRC=<dir>).
 * Inputs: grey frames as RGB (R = G = B), the same frames as 1-channel images (ours only; the original always
 * works on 3-channel BGR, so its baseline gets them as RGB), and colour frames.
 *
 *   SEED_SRC=/tmp/seed node --conditions=@vigil/source --import tsx tools/bench/augment.ts [--samples 48] [--reps 5]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HYP_SCRATCH_P6, Rng, type LabeledImage } from '@vigil/core';
import { applyTrainAugment, greyChannel, greyToRgb, pickMosaicIndices, planTrainAugment } from '@vigil/augment';
import { median } from './stats.js';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '48' }, reps: { type: 'string', default: '5' } } });
const SAMPLES = Number(values.samples);
const REPS = Number(values.reps);
const S = 640;
const W = 640;
const H = 480;
const POOL = 16;

/** In-cabin-like frames: smooth grey background, a bright "face" ellipse, dark "eyes", noise; 4–7 boxes each. */
function makePool(kind: 'grey' | 'colour', seed: number): LabeledImage[] {
  // kind 'grey' is grey-in-RGB (R = G = B), as a 3-channel JPEG decode gives.
  const rng = new Rng(seed);
  return Array.from({ length: POOL }, () => {
    const data = new Uint8Array(W * H * 3);
    const cx = rng.uniform(200, 440);
    const cy = rng.uniform(150, 330);
    const rx = rng.uniform(60, 140);
    const ry = rx * 1.3;
    const tint = [rng.uniform(0.6, 1.4), rng.uniform(0.6, 1.4), rng.uniform(0.6, 1.4)];
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v = 40 + 60 * (x / W) + 30 * (y / H);
        const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
        if (d < 1) v = 170 - 40 * d;
        v += rng.int(15);
        const o = (y * W + x) * 3;
        if (kind === 'grey') {
          data[o] = data[o + 1] = data[o + 2] = v;
        } else {
          data[o] = Math.min(255, v * tint[0]!);
          data[o + 1] = Math.min(255, v * tint[1]!);
          data[o + 2] = Math.min(255, v * tint[2]!);
        }
      }
    }
    const boxes = [
      [4, cx - rx, cy - ry, cx + rx, cy + ry],
      [0, cx - rx * 0.6, cy - ry * 0.35, cx - rx * 0.15, cy - ry * 0.15],
      [rng.chance(0.8) ? 0 : 1, cx + rx * 0.15, cy - ry * 0.35, cx + rx * 0.6, cy - ry * 0.15],
      [rng.chance(0.7) ? 3 : 2, cx - rx * 0.35, cy + ry * 0.35, cx + rx * 0.35, cy + ry * 0.6],
    ];
    if (rng.chance(0.3)) boxes.push([5, cx + rx * 0.8, cy - 40, cx + rx * 0.8 + 70, cy + 90]);
    const labels = Float32Array.from(boxes.flatMap((b) => [b[0]!, Math.max(0, b[1]!), Math.max(0, b[2]!), Math.min(W, b[3]!), Math.min(H, b[4]!)]));
    return { image: { data, width: W, height: H, channels: 3 }, labels };
  });
}

function runOurs(pool: LabeledImage[], seed: number): number {
  const rng = new Rng(seed);
  const t = performance.now();
  let boxes = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const plan = planTrainAugment(HYP_SCRATCH_P6, rng);
    const idx = pickMosaicIndices(i % POOL, POOL, rng);
    const out = plan.mosaic
      ? applyTrainAugment({ mosaic: idx.map((k) => pool[k]!) }, S, HYP_SCRATCH_P6, rng)
      : applyTrainAugment({ letterboxed: pool[i % POOL]! }, S, HYP_SCRATCH_P6, rng);
    boxes += out.labels.length / 5;
  }
  if (boxes === 0) throw new Error('no boxes survived: benchmark data is broken');
  return (SAMPLES / (performance.now() - t)) * 1000;
}

const PY = String.raw`
import os, sys, time, json, random
import numpy as np
sys.path.insert(0, os.environ['SEED_SRC'])
import utils.datasets as D  # also sets cv2.setNumThreads(0) like the original's training
from utils.general import xyxy2xywh
f, n, samples, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
imgs = np.fromfile(f, np.uint8).reshape(n, 480, 640, 3)
lab = json.load(open(f + '.json'))
hyp = json.loads(sys.argv[5])
class DS: pass
ds = DS()
ds.img_size, ds.mosaic_border, ds.indices, ds.hyp = 640, [-320, -320], range(n), hyp
ds.imgs = [im[..., ::-1].copy() for im in imgs]  # BGR like cv2.imread
ds.img_hw0 = ds.img_hw = [(480, 640)] * n
ds.labels, ds.segments = [], [[] for _ in range(n)]
for l in lab:
    a = np.array(l, np.float32).reshape(-1, 5)
    a[:, 1:] = xyxy2xywh(a[:, 1:]); a[:, [1, 3]] /= 640; a[:, [2, 4]] /= 480
    ds.labels.append(a)
random.seed(0); np.random.seed(0)
def getitem(i):
    img, labels = D.load_mosaic(ds, i)
    D.augment_hsv(img, hgain=hyp['hsv_h'], sgain=hyp['hsv_s'], vgain=hyp['hsv_v'])
    nL = len(labels)
    if nL:
        labels[:, 1:5] = xyxy2xywh(labels[:, 1:5]); labels[:, [2, 4]] /= img.shape[0]; labels[:, [1, 3]] /= img.shape[1]
    if random.random() < hyp['flipud']:
        img = np.flipud(img)
        if nL: labels[:, 2] = 1 - labels[:, 2]
    if random.random() < hyp['fliplr']:
        img = np.fliplr(img)
        if nL: labels[:, 1] = 1 - labels[:, 1]
    return img, labels
getitem(0)
print('ready', flush=True)
for line in sys.stdin:  # one timed run per 'run' line, so runs interleave with ours under the same load
    if line.strip() != 'run': break
    t = time.perf_counter()
    for i in range(samples): getitem(i % n)
    print(samples / (time.perf_counter() - t), flush=True)
`;

/** The original's pipeline in a Python process that times one run per request (null when unavailable). */
async function startPython(pool: LabeledImage[]): Promise<{ run: () => Promise<number>; stop: () => void } | string> {
  const src = process.env['SEED_SRC'];
  if (!src) return 'SEED_SRC not set';
  const dir = mkdtempSync(join(tmpdir(), 'vigil-augment-'));
  const f = join(dir, 'imgs.u8');
  const all = new Uint8Array(POOL * W * H * 3);
  pool.forEach((p, i) => all.set(p.image.channels === 3 ? p.image.data : greyToRgb(p.image).data, i * W * H * 3));
  writeFileSync(f, all);
  writeFileSync(`${f}.json`, JSON.stringify(pool.map((p) => Array.from(p.labels))));
  const child = spawn('/usr/bin/python3', ['-c', PY, f, String(POOL), String(SAMPLES), String(REPS), JSON.stringify(HYP_SCRATCH_P6)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error(`python failed: ${stderr.trim().split('\n').pop()}`);
    return r.value;
  };
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    if ((await next()) !== 'ready') throw new Error('python did not start');
  } catch (e) {
    cleanup();
    return (e as Error).message;
  }
  return {
    run: async () => {
      child.stdin.write('run\n');
      return Number(await next());
    },
    stop: () => {
      child.stdin.end();
      cleanup();
    },
  };
}

console.log(`Augment benchmark: mosaic-4 + random_perspective + HSV + flips at ${S}, hyp.scratch-p6, ${W}×${H} inputs, ${SAMPLES} samples × ${REPS} reps, runs interleaved with the baseline's (images/s, 1 thread: median, best)`);
const variants = [
  ['grey RGB', () => makePool('grey', 1)],
  ['grey 1-ch', () => makePool('grey', 1).map((p) => ({ image: greyChannel(p.image)!, labels: p.labels }))],
  ['colour', () => makePool('colour', 1)],
] as const;
for (const [kind, make] of variants) {
  const pool = make();
  runOurs(pool, 99); // warm-up (JIT)
  const py = await startPython(pool);
  const ours: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < REPS; r++) {
    ours.push(runOurs(pool, r));
    if (typeof py !== 'string') base.push(await py.run());
  }
  if (typeof py !== 'string') py.stop();
  const fmt = (xs: number[]) => `${median(xs).toFixed(1)} img/s (best ${Math.max(...xs).toFixed(1)})`;
  const baseline = typeof py === 'string' ? `original (Python + cv2): skipped (${py})` : `original (Python + cv2): ${fmt(base)} → ratio ${(median(ours) / median(base)).toFixed(2)}× (best/best ${(Math.max(...ours) / Math.max(...base)).toFixed(2)}×)`;
  console.log(`${kind.padEnd(9)} ours: ${fmt(ours)} | ${baseline}`);
}
