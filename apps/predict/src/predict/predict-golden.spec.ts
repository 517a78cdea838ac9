import '@tensorflow/tfjs-backend-cpu';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanImages } from './images.js';
import { loadModels } from './models.js';
import { type PredictionRecord, predictionsText } from './output.js';
import { predictImages } from './run-predict.js';

// Golden: the ORIGINAL predict.py test() on these images with these .pt files (fixtures/make-predict-golden.py):
// img 256, batch 2, conf 0.006, IoU 0.7, two seeded yolov5l6-row models (width 1/32) saved as the original's
// checkpoint dicts (fp16). Our pipeline must give the same boxes (IoU ≥ 0.99), classes and confidences (±1e-3).
const fx = fileURLToPath(new URL('./fixtures/', import.meta.url));
const images = readdirSync(join(fx, 'images'))
  .filter((f) => f.endsWith('.jpg'))
  .sort()
  .map((f) => join(fx, 'images', f));

interface Obj {
  class: string;
  position: [number, number, number, number];
  confidence_score: number;
}

function iou(a: readonly number[], b: readonly number[]): number {
  const iw = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const ih = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = iw * ih;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : a.every((v, i) => Math.abs(v - b[i]!) < 0.11) ? 1 : 0;
}

/** Greedy one-to-one matching of our objects to the original's: same class, IoU ≥ 0.99, |Δconf| ≤ 1e-3. */
function compare(ours: PredictionRecord[], want: { file_name: string; objects: Obj[] | Record<string, never> }[]) {
  const byName = new Map(ours.map((r) => [r.file_name, r]));
  let total = 0;
  let matched = 0;
  let maxConf = 0;
  let minIou = 1;
  const unmatched: string[] = [];
  for (const w of want) {
    const r = byName.get(w.file_name);
    expect(r, w.file_name).toBeDefined();
    const wo = Array.isArray(w.objects) ? w.objects : [];
    const ro = (Array.isArray(r!.objects) ? r!.objects : []) as unknown as Obj[];
    const used = new Set<number>();
    for (const o of wo) {
      total++;
      let best = -1;
      let bestIou = 0;
      ro.forEach((p, k) => {
        if (used.has(k) || p.class !== o.class || Math.abs(p.confidence_score - o.confidence_score) > 1e-3) return;
        const v = iou(p.position, o.position);
        if (v > bestIou) {
          bestIou = v;
          best = k;
        }
      });
      if (best >= 0 && bestIou >= 0.99) {
        used.add(best);
        matched++;
        maxConf = Math.max(maxConf, Math.abs(ro[best]!.confidence_score - o.confidence_score));
        minIou = Math.min(minIou, bestIou);
      } else unmatched.push(`${w.file_name} ${o.class} ${o.position.join(',')} ${o.confidence_score}`);
    }
    if (ro.length !== wo.length) unmatched.push(`${w.file_name}: ${ro.length} objects, want ${wo.length}`);
  }
  return { total, matched, maxConf, minIou, unmatched };
}

describe('predict = the original predict.py (golden, .pt weights)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const models of ['single', 'ensemble'] as const) {
    for (const tta of [false, true]) {
      it(`${models} model${models === 'ensemble' ? 's' : ''}, TTA ${tta ? 'on' : 'off'}`, async () => {
        const weights = models === 'single' ? [join(fx, 'model-a.pt')] : [join(fx, 'model-a.pt'), join(fx, 'model-b.pt')];
        const loaded = loadModels(weights);
        try {
          const before = tf.memory().numTensors;
          const run = await predictImages(await scanImages(images), loaded, {
            imgSize: 256,
            confThres: 0.006,
            iouThres: 0.7,
            batchSize: 2,
            augment: tta,
            ensemble: 'concat',
            emptyObjects: 'dict',
            progress: false,
          });
          expect(tf.memory().numTensors).toBe(before);
          const wantText = readFileSync(join(fx, `expected-${models}-${tta ? 'tta' : 'notta'}.json`), 'utf8');
          const want = JSON.parse(wantText) as {
            annotations: { file_name: string; objects: Obj[] }[];
          };
          // same images, in the original's (rect) order
          expect(run.records.map((r) => r.file_name)).toEqual(want.annotations.map((a) => a.file_name));
          const c = compare(run.records, want.annotations);
          const same = JSON.stringify(run.records) === JSON.stringify(want.annotations);
          if (process.env['GOLDEN_REPORT']) console.log(`${models} tta=${tta}: ${c.matched}/${c.total} matched, max |Δconf| ${c.maxConf.toExponential(2)}, min IoU ${c.minIou.toFixed(5)}, identical JSON: ${same}`);
          expect(c.unmatched).toEqual([]);
          expect(c.matched).toBe(c.total);
          expect(c.total).toBeGreaterThan(100);
          // and the file is byte-identical to the one the original's json.dump wrote
          expect(predictionsText(run.records)).toBe(wantText);
        } finally {
          loaded.dispose();
        }
      });
    }
  }
});
