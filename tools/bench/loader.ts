/**
 * Loader throughput: images/s through `YoloDataset.batches` at 640 (load → letterbox → collate to [B,H,W,3] float32),
 * on the synthetic set converted to the YOLO layout, vs the original's `__getitem__` letterbox path in Python
 * (cv2.imread + load_image + letterbox + BGR→RGB + /255, one process) on the same files, when /usr/bin/python3 has cv2
 * and SEED_SRC points at the original. Optionally writes a train_batch0.jpg-like picture of the first batch.
 *
 *   SEED_SRC=/tmp/seed node --conditions=@vigil/source --import tsx tools/bench/loader.ts [--n 400] [--img 640] [--batch 8] [--reps 3] [--plot file.jpg]
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureSyntheticData, prepareData, savePlotBatch, YoloDataset } from '@vigil/dataset';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '400' },
    img: { type: 'string', default: '640' },
    batch: { type: 'string', default: '8' },
    reps: { type: 'string', default: '3' },
    plot: { type: 'string' },
  },
});
const N = Number(values.n);
const IMG = Number(values.img);
const BS = Number(values.batch);
const REPS = Number(values.reps);
const root = join(tmpdir(), `vigil-bench-loader-${N}`);

await ensureSyntheticData(join(root, 'raw'), { train: N, test: 0, seed: 2 });
const trainImages = join(root, 'yolo', 'drowsy_face', 'images', 'train');
const marker = await readFile(join(root, 'yolo', 'drowsy_face', 'prepare_report.json'), 'utf8').catch(() => '');
if (!marker) await prepareData({ trainDir: join(root, 'raw', 'task03_train'), outDir: join(root, 'yolo'), valCount: 0 });
const ds = await YoloDataset.open(trainImages, { imgSize: IMG, augment: true });
console.log(`loader benchmark: ${ds.length} images 640×480 → ${IMG}×${IMG} letterbox, batch ${BS}; machine shared (load ${(await readFile('/proc/loadavg', 'utf8')).split(' ')[0]})`);

const rates: number[] = [];
for (let r = 0; r < REPS; r++) {
  const t = performance.now();
  let n = 0;
  let first = true;
  for await (const b of ds.batches({ batchSize: BS, prefetch: 2, concurrency: 4 })) {
    n += b.shape[0];
    if (first && r === 0 && values.plot) await savePlotBatch(values.plot, b.images, b.shape, b.targets, { files: b.files });
    first = false;
  }
  rates.push(n / ((performance.now() - t) / 1000));
}
const ours = median(rates);
console.log(`ours: median ${ours.toFixed(0)} images/s of ${REPS} [${rates.map((x) => x.toFixed(0)).join(', ')}]`);

const PY = String.raw`
import glob, os, sys, time, json
import numpy as np, cv2
sys.path.insert(0, os.environ['SEED_SRC'])
from utils.datasets import letterbox
cv2.setNumThreads(0)
files = sorted(glob.glob(os.path.join(sys.argv[1], '*.jpg')))
img_size = int(sys.argv[2])
rates = []
for rep in range(int(sys.argv[3])):
    t = time.perf_counter()
    for f in files:
        img = cv2.imread(f)
        h0, w0 = img.shape[:2]
        r = img_size / max(h0, w0)
        if r != 1:
            img = cv2.resize(img, (int(w0 * r), int(h0 * r)), interpolation=cv2.INTER_LINEAR)
        img, ratio, pad = letterbox(img, img_size, auto=False, scaleup=True)
        x = np.ascontiguousarray(img[:, :, ::-1].transpose(2, 0, 1)).astype(np.float32) / 255.0
    rates.append(len(files) / (time.perf_counter() - t))
print(json.dumps(rates))
`;
if (process.env['SEED_SRC']) {
  const py = spawnSync('/usr/bin/python3', ['-c', PY, trainImages, String(IMG), String(REPS)], { encoding: 'utf8', env: { ...process.env } });
  if (py.status === 0) {
    const pr = JSON.parse(py.stdout.trim().split('\n').pop()!) as number[];
    console.log(`original __getitem__ letterbox path (Python, cv2, 1 process): median ${median(pr).toFixed(0)} images/s [${pr.map((x) => x.toFixed(0)).join(', ')}] → ratio ${(ours / median(pr)).toFixed(2)}×`);
  } else console.log(`original: skipped (${py.stderr.trim().split('\n').pop()})`);
} else console.log('original: skipped (SEED_SRC not set)');
