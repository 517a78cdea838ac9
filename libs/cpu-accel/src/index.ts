export { activateCpuAccel, createCpuAccelerator } from './lib/accelerator.js';
export type { CpuAccelerator, CpuAccelOptions, CpuAccelPath, CpuAccelStatus } from './lib/accelerator.js';
export {
  convBnSilu,
  convBiasSilu,
  convScaleBiasSilu,
  isFusedConvBnSiluAvailable,
  BN_SILU,
  BN_SILU_GRAD,
  CONV_BIAS_SILU,
  DEFAULT_BN_EPS,
} from './lib/fused-ops.js';
export type { ConvBnSiluOptions, ConvBnSiluResult, ConvScaleBiasSiluArgs } from './lib/fused-ops.js';
export { patchCpuBackend } from './lib/cpu-backend-patch.js';
export { loadNativeAddon, NATIVE_ENV } from './lib/native-addon.js';
export type { NativeAddonStatus } from './lib/native-addon.js';
export { registerGradients } from './lib/gradients.js';
