import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { activateCpuAccel, createCpuAccelerator } from './accelerator.js';
import { loadNativeAddon, NATIVE_ENV } from './native-addon.js';
import { THREADS_ENV } from './simd-threads.js';

describe('createCpuAccelerator / activateCpuAccel', () => {
  it('activates wasm and describes the active path in one line', async () => {
    const r = await createCpuAccelerator().activate();
    expect(r.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(r.description).not.toMatch(/\n/);
    const native = loadNativeAddon();
    expect(r.description).toMatch(native.addon ? /native oneDNN kernels \(oneDNN / : /portable wasm-SIMD training kernels \(native/);
  });

  it(`${NATIVE_ENV}=0 forces the portable path and says why`, async () => {
    expect(loadNativeAddon({ [NATIVE_ENV]: '0' })).toEqual({ addon: null, detail: `native kernels disabled by ${NATIVE_ENV}=0` });
    const s = await activateCpuAccel({ env: { [NATIVE_ENV]: '0', [THREADS_ENV]: '1' } });
    expect(s.path).toBe('portable');
    expect(s.description).toBe(`tfjs wasm backend + portable wasm-SIMD training kernels (native kernels disabled by ${NATIVE_ENV}=0)`);
    const s3 = await activateCpuAccel({ env: { [NATIVE_ENV]: '0', [THREADS_ENV]: '3' } });
    expect(s3.description).toBe(`tfjs wasm backend + portable wasm-SIMD training kernels, convolutions on 3 threads (native kernels disabled by ${NATIVE_ENV}=0)`);
    // training still works: the wasm backend has no Conv2DBackpropFilter of its own
    const g = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')))(tf.ones([3, 3, 2, 1])).dataSync());
    expect(Array.from(g)).toEqual(new Array(18).fill(4));
  });
});
