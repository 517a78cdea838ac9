import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { boxIou } from '@vigil/core';
import { checkpointFromModel, encodeCheckpoint, tinyP5Spec, YoloModel } from '@vigil/yolov5';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectedObject } from './lib/detector.js';
import { load } from './lib/node-load.js';

/**
 * The browser entry in headless Chromium (Debian's package at /usr/bin/chromium, driven by playwright-core): the
 * page bundles src/browser.ts with esbuild, loads the checkpoint by URL from a static server on 127.0.0.1 and must
 * find what the Node entry finds on the same image, on webgl (SwiftShader) and on wasm.
 */
const CHROMIUM = process.env['VIGIL_CHROMIUM'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env['CI']) {
  console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set VIGIL_CHROMIUM); CI runs it`);
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const imageFile = join(root, 'data-samples/getty-pets/images/val/val_0000.jpg');
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const options = { imgSize: 160, confThres: 0.004, iouThres: 0.5 };

let server: Server;
let context: BrowserContext;
let base: string;
let profile: string;
let reference: DetectedObject[];

async function startServer(files: Map<string, { body: Uint8Array | string; type: string }>): Promise<string> {
  server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const wasm = /^\/wasm\/([\w.-]+\.wasm)$/.exec(path);
    const f = wasm ? { body: readFileSync(join(wasmDir, wasm[1]!)), type: 'application/wasm' } : files.get(path);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' }).end(f.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Every detection of `a` has one in `b` of the same class with IoU ≥ 0.99 and a score within 1e-3 (and counts agree). */
function expectSameDetections(a: DetectedObject[], b: DetectedObject[]): void {
  expect(b.length).toBe(a.length);
  const xyxy = (o: DetectedObject) => [o.bbox[0], o.bbox[1], o.bbox[0] + o.bbox[2], o.bbox[1] + o.bbox[3]];
  const used = new Set<number>();
  for (const o of a) {
    const iou = boxIou(Float32Array.from(xyxy(o)), Float32Array.from(b.flatMap(xyxy)));
    let best = -1;
    for (let j = 0; j < b.length; j++) {
      if (used.has(j) || b[j]!.classId !== o.classId || Math.abs(b[j]!.score - o.score) > 1e-3) continue;
      if (best < 0 || iou[j]! > iou[best]!) best = j;
    }
    expect(best, `no match for ${JSON.stringify(o)}`).toBeGreaterThanOrEqual(0);
    expect(iou[best]!).toBeGreaterThanOrEqual(0.99);
    used.add(best);
  }
}

describe.skipIf(!haveChromium && !process.env['CI'])('browser entry in headless Chromium', () => {
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
    base = await startServer(
      new Map([
        ['/index.html', { body: '<!doctype html><meta charset="utf-8"><title>vigil detector test</title><script type="module" src="/page.js"></script>', type: 'text/html' }],
        ['/page.js', { body: bundle.outputFiles[0]!.contents, type: 'text/javascript' }],
        ['/models/tiny p5.vckpt', { body: weights, type: 'application/octet-stream' }],
        ['/image.jpg', { body: readFileSync(imageFile), type: 'image/jpeg' }],
      ]),
    );
    profile = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  for (const backend of ['wasm', 'webgl'] as const) {
    it(`${backend}: the checkpoint by URL gives the Node detections (IoU ≥ 0.99, scores ±1e-3), batch too, no leak`, async () => {
      expect(reference.length).toBeGreaterThan(3);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}/index.html`);
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
