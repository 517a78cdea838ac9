/**
 * Scorer benchmark: a competition-sized evaluation — 35,000 images, ~10 labels and ~30 predictions each (1.05 M
 * predictions) — scored from the JSON files as `vigil-predict score` does (parse + validate + match + ap_per_class +
 * confusion matrix). Baseline in the same run: the original's own Python on the same files (the seed's test-loop
 * matching + utils/metrics.py ap_per_class + ConfusionMatrix, via libs/evaluator/src/lib/fixtures/make-golden.py),
 * when SEED_SRC points at a checkout of the original; it also checks that both give the same mAP.
 *
 *   SEED_SRC=/tmp/seed node --conditions=@vigil/source --import tsx tools/bench/score.ts [--images 35000] [--reps 5] [--no-python]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLASS_NAMES, Rng } from '@vigil/core';
import { scoreCompetitionFiles, scoreSummary } from '@vigil/evaluator';
import { median } from './stats.js';

const { values } = parseArgs({
  options: { images: { type: 'string', default: '35000' }, reps: { type: 'string', default: '5' }, 'no-python': { type: 'boolean', default: false } },
});
const N = Number(values.images);
const REPS = Number(values.reps);

/** Labels and noisy predictions like a trained detector's: ~10 objects, ~30 candidates (duplicates, FPs, wrong classes). */
function makeFiles(seed: number): { labels: string; predictions: string; nLabels: number; nPreds: number } {
  const rng = new Rng(seed);
  const W = 1280;
  const H = 720;
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const labels: unknown[] = [];
  const preds: unknown[] = [];
  let nLabels = 0;
  let nPreds = 0;
  for (let i = 0; i < N; i++) {
    const fn = `${String(i).padStart(6, '0')}.jpg`;
    const gts: { class: string; position: number[] }[] = [];
    const ngt = 5 + rng.int(11);
    for (let k = 0; k < ngt; k++) {
      const bw = rng.uniform(10, 300);
      const bh = rng.uniform(10, 300);
      const x = rng.uniform(0, W - bw);
      const y = rng.uniform(0, H - bh);
      gts.push({ class: CLASS_NAMES[rng.int(7)]!, position: [r1(x), r1(y), r1(x + bw), r1(y + bh)] });
    }
    const objs: { class: string; position: number[]; confidence_score: number }[] = [];
    const npred = 20 + rng.int(21);
    for (let k = 0; k < npred; k++) {
      const g = gts[rng.int(gts.length)]!;
      const [x1, y1, x2, y2] = g.position as [number, number, number, number];
      const s = rng.chance(0.7) ? 0.05 : 0.5;
      const j = () => rng.normal(0, s);
      const bw = x2 - x1;
      const bh = y2 - y1;
      const cls = rng.chance(0.9) ? g.class : CLASS_NAMES[rng.int(7)]!;
      const a = [x1 + j() * bw, y1 + j() * bh, x2 + j() * bw, y2 + j() * bh].map((v, q) => r1(Math.min(q % 2 ? H : W, Math.max(0, v))));
      objs.push({ class: cls, position: [Math.min(a[0]!, a[2]!), Math.min(a[1]!, a[3]!), Math.max(a[0]!, a[2]!), Math.max(a[1]!, a[3]!)], confidence_score: Math.round(rng.random() * 1e4) / 1e4 });
    }
    nLabels += gts.length;
    nPreds += objs.length;
    labels.push({ file_name: fn, objects: gts });
    preds.push({ file_name: fn, objects: objs });
  }
  return { labels: JSON.stringify({ annotations: labels }), predictions: JSON.stringify({ annotations: preds }), nLabels, nPreds };
}

const PY = `
import importlib.util, json, sys, time
spec = importlib.util.spec_from_file_location('g', sys.argv[1]); g = importlib.util.module_from_spec(spec); spec.loader.exec_module(g)
t = time.perf_counter(); c = time.process_time()
lab = json.load(open(sys.argv[2])); pred = json.load(open(sys.argv[3]))
out = g.evaluate(lab, pred, g.seed_correct)
print(json.dumps({'seconds': time.perf_counter() - t, 'cpu': time.process_time() - c, 'map75': out['map75'], 'map50_95': out['map50_95']}))
`;

function runPython(dir: string): { seconds: number; cpu: number; map75: number; map50_95: number } | string {
  const src = process.env['SEED_SRC'];
  if (!src) return 'SEED_SRC not set';
  const gen = fileURLToPath(new URL('../../libs/evaluator/src/lib/fixtures/make-golden.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', ['-c', PY, gen, join(dir, 'labels.json'), join(dir, 'predictions.json')], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) return `python failed: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; cpu: number; map75: number; map50_95: number };
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-score-'));
try {
  const t0 = performance.now();
  const files = makeFiles(1);
  writeFileSync(join(dir, 'labels.json'), files.labels);
  writeFileSync(join(dir, 'predictions.json'), files.predictions);
  console.log(
    `data: ${N} images, ${files.nLabels} labels (${(files.nLabels / N).toFixed(1)}/image), ${files.nPreds} predictions ` +
      `(${(files.nPreds / N).toFixed(1)}/image), files ${(files.predictions.length / 1e6).toFixed(0)} MB + ${(files.labels.length / 1e6).toFixed(0)} MB ` +
      `(made in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const times: number[] = [];
  const cpu: number[] = [];
  let summary: ReturnType<typeof scoreSummary> | undefined;
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    const c0 = process.cpuUsage();
    const rep = scoreCompetitionFiles({ text: files.labels, file: 'labels.json' }, { text: files.predictions, file: 'predictions.json' });
    times.push((performance.now() - t) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    summary = scoreSummary(rep.metrics);
  }
  const ours = median(times);
  console.log(`vigil score (parse + match + ap_per_class + confusion): median ${ours.toFixed(2)} s over ${REPS} (${times.map((x) => x.toFixed(2)).join(', ')})`);
  console.log(`  CPU time (user + sys, all threads incl. GC): median ${median(cpu).toFixed(2)} s (${cpu.map((x) => x.toFixed(2)).join(', ')}); load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  console.log(`  mAP@0.75 ${summary!.map75}, mAP@0.5:0.95 ${summary!.map50_95}`);
  if (!values['no-python']) {
    const py = runPython(dir);
    if (typeof py === 'string') console.log(`original (Python): skipped — ${py}`);
    else {
      console.log(`original (Python, torch + numpy, 1 run): ${py.seconds.toFixed(2)} s (CPU ${py.cpu.toFixed(2)} s) → ratio ${(py.seconds / ours).toFixed(1)}× faster (CPU: ${(py.cpu / median(cpu)).toFixed(1)}×)`);
      console.log(`  mAP@0.75 ${py.map75}, mAP@0.5:0.95 ${py.map50_95} → ${py.map75 === summary!.map75 && py.map50_95 === summary!.map50_95 ? 'identical' : 'DIFFERENT'}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
