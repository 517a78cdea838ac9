/**
 * Ensemble benchmark: 200 images, each with the detections of 2 models × 3 TTA passes (6 lists of ~100 boxes,
 * 7 classes, normalised xyxy). Times, over all images:
 *   - WBF: our `weightedBoxesFusion` vs ensemble_boxes `weighted_boxes_fusion` (iou_thr 0.55, skip 0, avg);
 *   - concat-NMS: our `concatNms` (the 6 lists as candidate rows, one class-aware NMS, IoU 0.7) vs ensemble_boxes
 *     `nms` (concatenate, NMS per class, IoU 0.7) on the same boxes.
 * The Python side runs in the same command when a checkout of github.com/ZFTurbo/Weighted-Boxes-Fusion is given
 * (ENSEMBLE_BOXES_SRC=<dir>, numpy + numba from /usr/bin/python3); it also reports its output sizes so that both
 * sides can be seen to do the same work.
 *
 *   ENSEMBLE_BOXES_SRC=<dir> node --conditions=@vigil/source --import tsx tools/bench/ensemble.ts [--images 200] [--reps 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Detections, Rng } from '@vigil/core';
import { concatNms, weightedBoxesFusion } from '@vigil/ensembler';
import { median } from './stats.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '200' }, reps: { type: 'string', default: '3' } } });
const IMAGES = Number(values.images);
const REPS = Number(values.reps);
const LISTS = 6; // 2 models × 3 TTA passes
const NC = 7;
const PER_LIST = 100;
const IOU_NMS = 0.7;

/** Detections like a detector's after NMS at conf 0.006: a few objects seen by every pass, many weak boxes. */
function makeImage(rng: Rng): Detections[] {
  const objects = Array.from({ length: 5 }, () => ({
    cx: rng.uniform(0.15, 0.85), cy: rng.uniform(0.15, 0.85), w: rng.uniform(0.03, 0.3), h: rng.uniform(0.03, 0.3), cls: rng.int(NC),
  }));
  return Array.from({ length: LISTS }, () => {
    const boxes = new Float32Array(4 * PER_LIST);
    const scores = new Float32Array(PER_LIST);
    const classes = new Int32Array(PER_LIST);
    for (let i = 0; i < PER_LIST; i++) {
      const real = i < 30;
      const o = objects[i % objects.length]!;
      const cx = real ? o.cx + rng.normal(0, 0.01) : rng.uniform(0, 1);
      const cy = real ? o.cy + rng.normal(0, 0.01) : rng.uniform(0, 1);
      const w = real ? o.w * (1 + rng.normal(0, 0.05)) : rng.uniform(0.02, 0.3);
      const h = real ? o.h * (1 + rng.normal(0, 0.05)) : rng.uniform(0.02, 0.3);
      boxes.set([Math.max(0, cx - w / 2), Math.max(0, cy - h / 2), Math.min(1, cx + w / 2), Math.min(1, cy + h / 2)], 4 * i);
      scores[i] = real && i < 5 ? rng.uniform(0.5, 0.95) : rng.uniform(0.006, 0.2);
      classes[i] = real && rng.random() < 0.9 ? o.cls : rng.int(NC);
    }
    return { count: PER_LIST, boxes, scores, classes };
  });
}

/** Detections → YOLO candidate rows [cx, cy, w, h, obj = score, one-hot class] so concat-NMS runs on the same boxes. */
function toRows(d: Detections): Float32Array {
  const no = 5 + NC;
  const rows = new Float32Array(d.count * no);
  for (let i = 0; i < d.count; i++) {
    const x1 = d.boxes[4 * i]!, y1 = d.boxes[4 * i + 1]!, x2 = d.boxes[4 * i + 2]!, y2 = d.boxes[4 * i + 3]!;
    rows.set([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, d.scores[i]!], i * no);
    rows[i * no + 5 + d.classes[i]!] = 1;
  }
  return rows;
}

const PY = String.raw`
import os, sys, time, json, warnings
import numpy as np
warnings.filterwarnings('ignore')
sys.path.insert(0, os.environ['ENSEMBLE_BOXES_SRC'])
from ensemble_boxes import weighted_boxes_fusion, nms
a = np.fromfile(sys.argv[1], dtype=np.float64).reshape(-1, 8)  # image, list, x1, y1, x2, y2, score, label
n_img, n_list, reps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
imgs = []
for i in range(n_img):
    ai = a[a[:, 0] == i]
    ls = [ai[ai[:, 1] == t] for t in range(n_list)]
    imgs.append(([l[:, 2:6].copy() for l in ls], [l[:, 6].copy() for l in ls], [l[:, 7].copy() for l in ls]))
nms(*imgs[0], iou_thr=0.7)  # numba compile outside the timing
res = {}
for name, fn in [('wbf', lambda b, s, l: weighted_boxes_fusion(b, s, l, iou_thr=0.55, skip_box_thr=0.0)),
                 ('nms', lambda b, s, l: nms(b, s, l, iou_thr=0.7))]:
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); count = 0
        for b, s, l in imgs:
            count += len(fn(b, s, l)[1])
        ts.append((time.perf_counter() - t) * 1e3)
    res[name] = {'ms': ts, 'count': count}
print(json.dumps(res))
`;

function runPython(images: Detections[][]): Record<'wbf' | 'nms', { ms: number[]; count: number }> | string {
  const src = process.env['ENSEMBLE_BOXES_SRC'];
  if (!src) return 'ENSEMBLE_BOXES_SRC not set';
  const rows: number[] = [];
  images.forEach((lists, i) =>
    lists.forEach((d, t) => {
      for (let j = 0; j < d.count; j++) rows.push(i, t, ...d.boxes.subarray(4 * j, 4 * j + 4), d.scores[j]!, d.classes[j]!);
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ens-'));
  try {
    const f = join(dir, 'dets.f64');
    writeFileSync(f, Float64Array.from(rows));
    const r = spawnSync('/usr/bin/python3', ['-c', PY, f, String(images.length), String(LISTS), String(REPS)], { encoding: 'utf8' });
    if (r.status !== 0) return `python failed: ${r.stderr.trim().split('\n').pop()}`;
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<'wbf' | 'nms', { ms: number[]; count: number }>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function time(fn: () => number): { ms: number; count: number } {
  const ts: number[] = [];
  let count = 0;
  for (let r = 0; r < REPS + 1; r++) {
    const t = performance.now();
    count = fn();
    if (r > 0) ts.push(performance.now() - t); // the first run warms up the JIT
  }
  return { ms: median(ts), count };
}

const rng = new Rng(7);
const images = Array.from({ length: IMAGES }, () => makeImage(rng));
const rowsPerImage = images.map((lists) => lists.map(toRows));
console.log(`Ensemble benchmark: ${IMAGES} images × ${LISTS} detection lists (2 models × 3 TTA passes) × ${PER_LIST} boxes, ${NC} classes; median of ${REPS} runs over all images`);
const wbf = time(() => images.reduce((n, lists) => n + weightedBoxesFusion(lists).count, 0));
const cnms = time(() => rowsPerImage.reduce((n, rows) => n + concatNms(rows, { numClasses: NC, confThres: 0, iouThres: IOU_NMS, maxDet: 100_000 }).count, 0));
const py = runPython(images);
const line = (name: string, ours: { ms: number; count: number }, key: 'wbf' | 'nms') => {
  const base = typeof py === 'string'
    ? `ensemble_boxes: skipped (${py})`
    : `ensemble_boxes: ${median(py[key].ms).toFixed(1)} ms (${py[key].count} boxes out) → ${(median(py[key].ms) / ours.ms).toFixed(1)}× faster`;
  console.log(`${name.padEnd(10)} ours: ${ours.ms.toFixed(1)} ms (${ours.count} boxes out) | ${base}`);
};
line('WBF', wbf, 'wbf');
line('concat-NMS', cnms, 'nms');
