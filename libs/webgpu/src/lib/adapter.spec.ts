import { describe, expect, it } from 'vitest';
import { describeAdapter, isSoftwareAdapter } from './adapter.js';

describe('adapter classification', () => {
  it('SwiftShader and other emulations are software; GPUs are not', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'amd', architecture: 'rdna-2', description: 'AMD Radeon RX 6800 (RADV NAVI21)' })).toBe(false);
  });
  it('names vendor, architecture and description in one line', () => {
    expect(describeAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true })).toBe(
      'google swiftshader (SwiftShader driver 5.0.0), software emulation',
    );
    expect(describeAdapter({ vendor: 'nvidia', architecture: 'ampere', description: '' })).toBe('nvidia ampere');
    expect(describeAdapter({})).toBe('unknown adapter');
  });
});
