/**
 * The @vigil/detector examples in CI: examples/detect/index.mjs (Node, public API only) prints what the detector
 * finds, and examples/detect-browser (plain HTML page + main.js on the browser entry, bundled here with esbuild)
 * shows the same detections in headless Chromium. A seeded, untrained stand-in checkpoint: only the plumbing is
 * under test, so the confidence threshold is low.
 */
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { load, type DetectedObject } from '@vigil/detector';
import { browserTestsEnabled, expectSameDetections, launchChromium, startStaticServer } from '@vigil/detector/testing';
import { checkpointFromModel, encodeCheckpoint, tinyP6Spec, YoloModel } from '@vigil/yolov5';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const image = join(root, 'data-samples/getty-pets/images/val/val_0000.jpg');
const dir = mkdtempSync(join(tmpdir(), 'vigil examples '));
const weights = join(dir, 'stand in.vckpt');
const opts = { imgSize: 192, confThres: 0.003 };
let bytes: Uint8Array;
let expected: DetectedObject[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const m = YoloModel.create(tinyP6Spec(3), { seed: 6, names: ['cat', 'dog', 'person'] });
  bytes = encodeCheckpoint(checkpointFromModel(m));
  m.dispose();
  writeFileSync(weights, bytes);
  const d = await load(weights, opts);
  expected = await d.detect(image);
  d.dispose();
  expect(expected.length).toBeGreaterThan(0);
});

describe('examples/detect (Node)', () => {
  it('node examples/detect/index.mjs <image> <weights> prints the detector’s detections', () => {
    const r = spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', join(root, 'examples/detect/index.mjs'), image, weights], {
      encoding: 'utf8',
      env: { ...process.env, VIGIL_BACKEND: 'cpu', VIGIL_IMG_SIZE: String(opts.imgSize), VIGIL_CONF: String(opts.confThres) },
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${image}: ${expected.length} detection(s)`);
    expect(lines.slice(1)).toEqual(expected.map((d) => `${d.class} ${d.score.toFixed(3)} [${d.bbox.map((v) => Math.round(v)).join(', ')}]`));
  });
});

describe.skipIf(!browserTestsEnabled('examples/detect-browser test'))('examples/detect-browser (headless Chromium, wasm)', () => {
  it('the page shows the detections the Node entry finds', async () => {
    const page = join(root, 'examples/detect-browser');
    const bundle = await build({ entryPoints: [join(page, 'main.js')], bundle: true, write: false, platform: 'browser', format: 'esm', conditions: ['@vigil/source', 'browser'], logLevel: 'silent' });
    const server = await startStaticServer(
      new Map([
        ['/index.html', { body: readFileSync(join(page, 'index.html')), type: 'text/html' }],
        ['/main.js', { body: bundle.outputFiles[0]!.contents, type: 'text/javascript' }],
        ['/model.vckpt', { body: bytes, type: 'application/octet-stream' }],
        ['/image.jpg', { body: readFileSync(image), type: 'image/jpeg' }],
      ]),
    );
    const browser = await launchChromium();
    try {
      const tab = await browser.context.newPage();
      await tab.goto(`${server.url}/index.html?weights=/model.vckpt&image=/image.jpg&backend=wasm&conf=${opts.confThres}&size=${opts.imgSize}`);
      await tab.waitForSelector('body[data-detections], body[data-error]', { state: 'attached', timeout: 60_000 });
      expect(await tab.getAttribute('body', 'data-error')).toBeNull();
      const shown = JSON.parse((await tab.getAttribute('body', 'data-detections'))!) as DetectedObject[];
      expectSameDetections(expected, shown);
      expect(await tab.textContent('#status')).toBe(`${expected.length} detection(s) on wasm`);
      if (process.env['VIGIL_SCREENSHOT']) await tab.screenshot({ path: process.env['VIGIL_SCREENSHOT'], fullPage: true });
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
