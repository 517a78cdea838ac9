import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { checkpointFromModel, encodeCheckpoint, tinyP5Spec, YoloModel } from '@vigil/yolov5';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectedObject } from './lib/detector.js';
import { load } from './lib/node-load.js';
import { browserTestsEnabled, launchChromium, startStaticServer, type Chromium, type StaticServer } from './testing/chromium.js';
import { expectSameDetections } from './testing/same-detections.js';

/**
 * The browser entry in headless Chromium (Debian's package at /usr/bin/chromium, driven by playwright-core): the
 * page bundles src/browser.ts with esbuild, loads the checkpoint by URL from a static server on 127.0.0.1 and must
 * find what the Node entry finds on the same image, on webgl (SwiftShader) and on wasm.
 */
const enabled = browserTestsEnabled('browser test of @vigil/detector');
const root = fileURLToPath(new URL('../../../', import.meta.url));
const imageFile = join(root, 'data-samples/getty-pets/images/val/val_0000.jpg');
const options = { imgSize: 160, confThres: 0.004, iouThres: 0.5 };

let server: StaticServer;
let browser: Chromium;
let reference: DetectedObject[];

describe.skipIf(!enabled)('browser entry in headless Chromium', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const m = YoloModel.create(tinyP5Spec(3), { seed: 4, names: ['cat', 'dog', 'eye_closed'] });
    const weights = encodeCheckpoint(checkpointFromModel(m));
    m.dispose();
    const node = await load(weights, options);
    reference = await node.detect(imageFile);
    node.dispose();
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./testing/browser-page.ts', import.meta.url))],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['@vigil/source', 'browser'],
      logLevel: 'silent',
    });
    server = await startStaticServer(
      new Map([
        ['/index.html', { body: '<!doctype html><meta charset="utf-8"><title>vigil detector test</title><script type="module" src="/page.js"></script>', type: 'text/html' }],
        ['/page.js', { body: bundle.outputFiles[0]!.contents, type: 'text/javascript' }],
        ['/models/tiny p5.vckpt', { body: weights, type: 'application/octet-stream' }],
        ['/image.jpg', { body: readFileSync(imageFile), type: 'image/jpeg' }],
      ]),
    );
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const backend of ['wasm', 'webgl'] as const) {
    it(`${backend}: the checkpoint by URL gives the Node detections (IoU ≥ 0.99, scores ±1e-3), batch too, no leak`, async () => {
      expect(reference.length).toBeGreaterThan(3);
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => 'vigilRun' in globalThis);
      const r = await page.evaluate(
        ([b, o]) => (globalThis as unknown as { vigilRun: (...a: unknown[]) => Promise<{ backend: string; detections: DetectedObject[]; batch: DetectedObject[][]; leaked: number }> }).vigilRun(b, '/models/tiny%20p5.vckpt', '/image.jpg', o),
        [backend, options] as const,
      );
      await page.close();
      expect(errors).toEqual([]);
      expect(r.backend).toBe(backend);
      expectSameDetections(reference, r.detections);
      for (const b of r.batch) expectSameDetections(reference, b);
      expect(r.leaked).toBe(0);
    }, 180_000);
  }
});
