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
export { BN_SILU, BN_SILU_GRAD, CONV_BIAS_SILU, SGD_STEP } from './lib/custom-kernels.js';
export { sgdStepKernel } from './lib/sgd-step.js';
export type { SgdStepArgs } from './lib/sgd-step.js';
export { patchCpuBackend } from './lib/cpu-backend-patch.js';
export { loadNativeAddon, NATIVE_ENV, PIN_ENV } from './lib/native-addon.js';
export type { NativeAddonStatus } from './lib/native-addon.js';
export { registerGradients } from './lib/gradients.js';
export { THREADS_ENV } from './lib/simd-threads.js';
export { yoloConvKernels } from './lib/yolo-conv-kernels.js';
export type { YoloConvTrainArgs, YoloConvTrainResult } from './lib/yolo-conv-kernels.js';
