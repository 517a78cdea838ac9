export { activateCpuAccel, createCpuAccelerator } from './lib/accelerator.js';
export type { CpuAccelerator, CpuAccelOptions, CpuAccelPath, CpuAccelStatus } from './lib/accelerator.js';
export {
  convBnSilu,
  convBiasSilu,
  convScaleBiasSilu,
  isFusedConvBnSiluAvailable,
  DEFAULT_BN_EPS,
} from './lib/conv-bn-silu.js';
export type { ConvBnSiluOptions, ConvBnSiluResult, ConvScaleBiasSiluArgs } from './lib/conv-bn-silu.js';
export { patchCpuBackend } from './lib/cpu-backend-patch.js';
export { loadNativeAddon, NATIVE_ENV, PIN_ENV } from './lib/native-addon.js';
export type { NativeAddonStatus } from './lib/native-addon.js';
export { registerGradients } from './lib/gradients.js';
export { THREADS_ENV } from './lib/simd-threads.js';
