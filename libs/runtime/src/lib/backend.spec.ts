import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuAccelerator, loadNativeAddon } from '@vigil/cpu-accel';
import { initBackend, parseBackendPreference, setCpuAccelerator } from './backend.js';

describe('parseBackendPreference', () => {
  it('accepts names and aliases', () => {
    expect(parseBackendPreference(undefined)).toBe('auto');
    expect(parseBackendPreference(' WASM ')).toBe('wasm');
    expect(parseBackendPreference('node')).toBe('tensorflow');
    expect(parseBackendPreference('node-gpu')).toBe('tensorflow-gpu');
    expect(parseBackendPreference('WebGPU')).toBe('webgpu');
  });
  it('rejects unknown names, listing the valid ones', () => {
    expect(() => parseBackendPreference('tpu')).toThrow(/unknown backend "tpu".*auto, tensorflow-gpu, webgpu, tensorflow, accel, wasm, cpu/);
  });
});

describe('initBackend', () => {
  afterEach(() => setCpuAccelerator(createCpuAccelerator()));

  it('auto without tfjs-node picks the accelerated CPU path, says which kernels, and can train', async () => {
    const lines: string[] = [];
    const choice = await initBackend({ prefer: 'auto', log: (l) => lines.push(l), env: {} });
    expect(choice.kind).toBe('accel');
    expect(choice.tfBackend).toBe('wasm');
    expect(lines).toHaveLength(1);
    const native = loadNativeAddon();
    expect(lines[0]).toMatch(native.addon ? /^\[vigil\] backend: accel — tfjs wasm backend \+ native oneDNN kernels/ : /^\[vigil\] backend: accel — tfjs wasm backend \+ portable wasm-SIMD training kernels/);
    // a filter gradient (no such kernel in the stock wasm backend) computes, without leaking
    const before = tf.memory().numTensors;
    const g = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.ones([2, 2, 1, 1])).dataSync());
    expect(Array.from(g)).toEqual([4, 4, 4, 4]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('auto without tfjs-node or an accelerator falls through to the first working backend and says why', async () => {
    const lines: string[] = [];
    setCpuAccelerator(undefined);
    const choice = await initBackend({ prefer: 'auto', log: (l) => lines.push(l), env: {} });
    expect(choice.kind).toBe('wasm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[vigil\] backend: /);
    expect(tf.getBackend()).toBe(choice.tfBackend);
    // tfjs-node cannot be installed on this machine: the report names why it was skipped.
    expect(choice.reason).toMatch(/tfjs-node-gpu is not installed/);
    expect(choice.reason).toMatch(/tfjs-node is not installed/);
    // no GPU here (at most SwiftShader, a software emulation, which auto never takes): webgpu was skipped, and why
    expect(choice.reason).toMatch(/Vulkan driver|software emulation|webgpu package/);
  });

  it('--backend webgpu starts on the adapter present (SwiftShader included) and names it', async (ctx) => {
    const lines: string[] = [];
    const choice = await initBackend({ prefer: 'webgpu', log: (l) => lines.push(l) }).catch((e: Error) => {
      if (process.env['CI']) throw e; // CI installs SwiftShader: a missing adapter is a failure there
      ctx.skip(`no WebGPU adapter here: ${e.message}`);
    });
    expect(choice!.kind).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(lines).toEqual([expect.stringMatching(/^\[vigil\] backend: webgpu — tfjs webgpu backend on Dawn: \S.* \(requested\)$/)]);
    const v = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]);
    expect(v).toBe(6);
  });

  it('an explicitly requested but missing backend is a clear error', async () => {
    await expect(initBackend({ prefer: 'tensorflow', log: false })).rejects.toThrow(/backend "tensorflow" is not available: @tensorflow\/tfjs-node is not installed/);
    setCpuAccelerator(undefined);
    await expect(initBackend({ prefer: 'accel', log: false })).rejects.toThrow(/accelerated CPU kernels are not available/);
  });

  it('honours the VIGIL_BACKEND env var and the cpu backend computes', async () => {
    const choice = await initBackend({ log: false, env: { VIGIL_BACKEND: 'cpu' } });
    expect(choice.kind).toBe('cpu');
    expect(choice.reason).toMatch(/requested by VIGIL_BACKEND/);
    expect(choice.reason).toMatch(/ResizeNearestNeighborGrad fixed/);
    const s = tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0]);
    expect(s).toBe(5);
  });

  it('the wasm backend initialises and computes', async () => {
    const choice = await initBackend({ prefer: 'wasm', log: false });
    expect(choice.tfBackend).toBe('wasm');
    const before = tf.memory().numTensors;
    const v = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]);
    expect(v).toBe(6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('uses an installed CPU accelerator for auto', async () => {
    setCpuAccelerator({
      activate: async () => {
        await import('@tensorflow/tfjs-backend-cpu');
        await tf.setBackend('cpu');
        return { tfBackend: 'cpu', description: 'test accelerator' };
      },
    });
    const choice = await initBackend({ log: false, env: {} });
    expect(choice.kind).toBe('accel');
    expect(choice.reason).toMatch(/^test accelerator/);
  });

  it('the cpu backend prints no "install the node backend" banner (fresh process)', () => {
    // A child process: in this one the cpu backend may already have written its first tensor.
    const script = [
      `const { initBackend } = await import(${JSON.stringify(fileURLToPath(new URL('./backend.ts', import.meta.url)))});`,
      "const tf = await import('@tensorflow/tfjs-core');",
      "await initBackend({ prefer: 'cpu', log: false });",
      'console.log(tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('3');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/node backend|tfjs-node/);
  });
});

