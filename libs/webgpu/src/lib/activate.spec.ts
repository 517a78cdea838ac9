import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { activateWebGpu, loadDawn } from './activate.js';
import { webgpuForTests } from './test-helpers.js';

const gpu = await webgpuForTests();

describe.skipIf(gpu.skip !== undefined)('activateWebGpu on the adapter present', () => {
  it('makes webgpu the active backend and names the adapter', async () => {
    const s = await activateWebGpu({ allowSoftware: true });
    expect(tf.getBackend()).toBe('webgpu');
    expect(s.description).toMatch(/^tfjs webgpu backend on Dawn: \S+/);
    if (s.software) expect(s.description).toMatch(/software emulation$/);
  });

  it('dataSync and arraySync read back synchronously (no canvas in Node), async reads still work, no leaks', async () => {
    await activateWebGpu({ allowSoftware: true });
    const before = tf.memory().numTensors;
    const m = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 2, 3, 4], [2, 2])));
    expect(Array.from(m.dataSync())).toEqual([7, 10, 15, 22]);
    expect(tf.tidy(() => tf.add(m, 1).arraySync())).toEqual([
      [8, 11],
      [16, 23],
    ]);
    // more than one 256×256 tile of the canvas path, and an int32 read
    const v = tf.tidy(() => tf.mul(tf.range(0, 70_000, 1, 'float32'), 2).dataSync());
    expect(v.length).toBe(70_000);
    expect(v[69_999]).toBe(139_998);
    expect(Array.from(tf.tidy(() => tf.cast(tf.tensor1d([1.7, -2.2]), 'int32').dataSync()))).toEqual([1, -2]);
    const d = tf.sub(m, 1);
    expect(Array.from(await d.data())).toEqual([6, 9, 14, 21]);
    tf.dispose([m, d]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a software adapter unless allowed', async () => {
    const s = await activateWebGpu({ allowSoftware: true });
    if (!s.software) return;
    await expect(activateWebGpu({ env: {} })).rejects.toThrow(/only WebGPU adapter is a software emulation \(google swiftshader.*use --backend webgpu or VIGIL_WEBGPU_ALLOW_SOFTWARE=1/);
    await expect(activateWebGpu({ env: { VIGIL_WEBGPU_ALLOW_SOFTWARE: '1' } })).resolves.toMatchObject({ software: true });
  });
});

describe('without the webgpu package', () => {
  it('is one line naming the optional dependency', async () => {
    await expect(loadDawn('@vigil/no-such-dawn-package')).rejects.toThrow(/^the webgpu package \(Dawn for Node\) is not installed \(it is an optional dependency of @vigil\/webgpu\)$/);
  });
});

describe('without a Vulkan driver', () => {
  it('fails with one line before loading Dawn', () => {
    const script = fileURLToPath(new URL('./fixtures/activate-cli.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', script], {
      encoding: 'utf8',
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '', CI: '' },
    });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^no Vulkan driver is installed \(no ICD manifest in .*\): install the GPU's Vulkan driver/)]);
  });
});
