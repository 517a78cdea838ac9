import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { checkpointFromModel, crc32, encodeCheckpoint, tinyP6Spec, YoloModel } from '@vigil/yolov5';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const fx = fileURLToPath(new URL('./predict/fixtures/', import.meta.url));

function predict(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, '--source', join(fx, 'images'), '--img-size', '128', '--no-augment', ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_BACKEND: 'cpu' } });
}
/** The one `vigil-predict:` line of a failed run (exit code 2, no stack trace). */
function oneLine(r: ReturnType<typeof spawnSync>): string {
  expect(r.status, String(r.stderr)).toBe(2);
  expect(String(r.stderr)).not.toMatch(/^\s+at /m);
  const lines = String(r.stderr).split('\n').filter((l) => l.startsWith('vigil-predict:'));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('vigil-predict: damaged and crafted weights files are one line', () => {
  it('a .vckpt whose (re-checksummed) header says width_multiple 1e4, a truncated .pt', async () => {
    await tf.setBackend('cpu');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-predict-bad-'));
    const m = YoloModel.create(tinyP6Spec(), { seed: 1 });
    const bytes = encodeCheckpoint(checkpointFromModel(m));
    m.dispose();
    const len = new DataView(bytes.buffer).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len))) as { spec: { width_multiple: number } };
    header.spec.width_multiple = 1e4;
    const json = new TextEncoder().encode(JSON.stringify(header));
    const start = (12 + json.length + 4 + 7) & ~7;
    const data = bytes.subarray((12 + len + 4 + 7) & ~7);
    const out = new Uint8Array(start + data.length);
    out.set(bytes.subarray(0, 8));
    new DataView(out.buffer).setUint32(8, json.length, true);
    out.set(json, 12);
    new DataView(out.buffer).setUint32(12 + json.length, crc32(out.subarray(0, 12 + json.length)), true);
    out.set(data, start);
    writeFileSync(join(dir, 'wide.vckpt'), out);
    expect(oneLine(predict('--weights', join(dir, 'wide.vckpt'), '--project', dir))).toMatch(/wide\.vckpt \(spec\): "width_multiple" 10000 is out of range \(0, 8\]/);
    const pt = readFileSync(join(fx, 'model-a.pt'));
    writeFileSync(join(dir, 'cut.pt'), pt.subarray(0, pt.length >> 1));
    expect(oneLine(predict('--weights', join(dir, 'cut.pt'), '--project', dir))).toMatch(/cut\.pt: the \.pt zip container is damaged or truncated/);
  }, 120_000);
});

describe('vigil-predict memory check', () => {
  it('a size that cannot fit the wasm32 heap stops before any image is read: one line naming the limit and what fits', () => {
    const project = mkdtempSync(join(tmpdir(), 'vigil-predict-mem-'));
    const r = spawnSync(
      process.execPath,
      ['--conditions=@vigil/source', '--import', 'tsx', main, '--weights', join(fx, 'model-a.pt'), '--source', join(fx, 'images'), '--img-size', '8192', '--batch-size', '64', '--backend', 'wasm', '--project', project],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('vigil-predict:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/model-a\.pt at --img-size 8192 --batch-size 64 needs about \d+\.\d GiB for inference, more than the wasm backend's 4\.0 GiB wasm32 heap; what fits: --batch-size \d+ at --img-size 8192 or --img-size \d+ at --batch-size 64, or a backend without that limit/);
    expect(existsSync(join(project, 'final'))).toBe(false);
  }, 120_000);
});
