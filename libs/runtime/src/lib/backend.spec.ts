import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend, parseBackendPreference, setCpuAccelerator } from './backend.js';

describe('parseBackendPreference', () => {
  it('accepts names and aliases', () => {
    expect(parseBackendPreference(undefined)).toBe('auto');
    expect(parseBackendPreference(' WASM ')).toBe('wasm');
    expect(parseBackendPreference('node')).toBe('tensorflow');
    expect(parseBackendPreference('node-gpu')).toBe('tensorflow-gpu');
  });
  it('rejects unknown names, listing the valid ones', () => {
    expect(() => parseBackendPreference('tpu')).toThrow(/unknown backend "tpu".*auto, tensorflow-gpu, tensorflow, accel, wasm, cpu/);
  });
});

describe('initBackend', () => {
  afterEach(() => setCpuAccelerator(undefined));

  it('auto without tfjs-node falls through to the first working backend and says why', async () => {
    const lines: string[] = [];
    const choice = await initBackend({ prefer: 'auto', log: (l) => lines.push(l), env: {} });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[vigil\] backend: /);
    expect(tf.getBackend()).toBe(choice.tfBackend);
    // tfjs-node cannot be installed on this machine: the report names why it was skipped.
    expect(choice.reason).toMatch(/tfjs-node-gpu is not installed/);
    expect(choice.reason).toMatch(/tfjs-node is not installed/);
  });

  it('an explicitly requested but missing backend is a clear error', async () => {
    await expect(initBackend({ prefer: 'tensorflow', log: false })).rejects.toThrow(/backend "tensorflow" is not available: @tensorflow\/tfjs-node is not installed/);
    await expect(initBackend({ prefer: 'accel', log: false })).rejects.toThrow(/accelerated CPU kernels are not available/);
  });

  it('honours the VIGIL_BACKEND env var and the cpu backend computes', async () => {
    const choice = await initBackend({ log: false, env: { VIGIL_BACKEND: 'cpu' } });
    expect(choice.kind).toBe('cpu');
    expect(choice.reason).toMatch(/requested by VIGIL_BACKEND/);
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
});
