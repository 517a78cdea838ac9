import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VigilUserError } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { checkMemoryFits, estimatePredictMemory, estimateTrainMemory, WASM32_HEAP_BYTES } from './memory.js';
import { loadSpec } from './spec.js';
import { resolveSpecPath } from './spec-files.js';

/** Heaps measured on the accel backend by tools/bench/train-memory.ts (one fresh process per row). */
const peaks = readFileSync(fileURLToPath(new URL('./fixtures/memory-peaks.jsonl', import.meta.url)), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { cfg: string; img: number; batch: number; mode: 'train' | 'predict'; heap: number | null; aborted?: string });
const spec = (name: string) => loadSpec(resolveSpecPath(name)!, { nc: 7 });

describe('memory estimate', () => {
  it('is at or above every measured peak and within 35 % of it (train and predict); above the limit where a run aborted', () => {
    expect(peaks.filter((p) => p.mode === 'train').length).toBeGreaterThanOrEqual(5);
    expect(peaks.filter((p) => p.mode === 'predict').length).toBeGreaterThanOrEqual(2);
    for (const p of peaks) {
      const e = (p.mode === 'train' ? estimateTrainMemory : estimatePredictMemory)(spec(p.cfg), p).bytes;
      const what = `${p.cfg} ${p.img} b${p.batch} ${p.mode}`;
      if (p.heap === null) {
        // the run aborted: the heap could not grow past its limit
        expect(e, what).toBeGreaterThan(WASM32_HEAP_BYTES);
        continue;
      }
      expect(e, what).toBeGreaterThanOrEqual(p.heap);
      expect(e, what).toBeLessThanOrEqual(1.35 * p.heap);
    }
  });

  it('grows with batch and with the image area', () => {
    const s = spec('yolov5n6');
    const a = estimateTrainMemory(s, { img: 320, batch: 2 });
    const b = estimateTrainMemory(s, { img: 320, batch: 4 });
    const c = estimateTrainMemory(s, { img: 640, batch: 2 });
    expect(b.bytes).toBeGreaterThan(a.bytes);
    expect(c.activationValues).toBe(4 * a.activationValues);
  });

  it("the default model (yolov5l6 @ 1280, batch 4) stops on accel/wasm with one line naming the limit and what fits; not on tfjs-node/cpu", () => {
    const s = spec('yolov5l6');
    let err: unknown;
    try {
      checkMemoryFits(s, { img: 1280, batch: 4, mode: 'train', backend: 'accel', what: '--cfg yolov5l6' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilUserError);
    const msg = (err as Error).message;
    expect(msg.split('\n')).toHaveLength(1);
    expect(msg).toMatch(/^--cfg yolov5l6 at --img 1280 --batch 4 needs about \d+\.\d GiB to train, more than the accel backend's 4\.0 GiB wasm32 heap; what fits: --img (\d+) at --batch 4, or a backend without that limit \(--backend tensorflow/);
    const fit = Number(/--img (\d+) at --batch 4,/.exec(msg)![1]);
    expect(estimateTrainMemory(s, { img: fit, batch: 4 }).bytes).toBeLessThanOrEqual(WASM32_HEAP_BYTES);
    expect(estimateTrainMemory(s, { img: fit + 64, batch: 4 }).bytes).toBeGreaterThan(WASM32_HEAP_BYTES);
    for (const backend of ['tensorflow', 'tensorflow-gpu', 'cpu']) expect(() => checkMemoryFits(s, { img: 1280, batch: 4, mode: 'train', backend, what: 'x' })).not.toThrow();
    // what fits is reported for the batch too when a smaller one does
    expect(() => checkMemoryFits(spec('yolov5n6'), { img: 640, batch: 16, mode: 'train', backend: 'wasm', what: 'n6' })).toThrow(/what fits: --batch \d+ at --img 640 or --img \d+ at --batch 16/);
    expect(() => checkMemoryFits(spec('yolov5n6'), { img: 640, batch: 4, mode: 'train', backend: 'accel', what: 'n6' })).not.toThrow();
  });
});
