import { describe, expect, it } from 'vitest';
import { bnSiluTakes } from './kernel-names.js';

describe('bnSiluTakes', () => {
  it('no kernel: false; a kernel without limits: every channel count; channelMultiple m: multiples of m only', () => {
    expect(bnSiluTakes(undefined, 8)).toBe(false);
    expect(bnSiluTakes(undefined)).toBe(false);
    expect([1, 3, 8].map((c) => bnSiluTakes({ kernelName: 'VigilBnSilu' }, c))).toEqual([true, true, true]);
    expect([4, 6, 8].map((c) => bnSiluTakes({ channelMultiple: 4 }, c))).toEqual([true, false, true]);
    expect(bnSiluTakes({ channelMultiple: 4 })).toBe(true);
  });
});
