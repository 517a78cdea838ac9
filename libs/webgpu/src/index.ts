export { activateWebGpu, ALLOW_SOFTWARE_ENV, WEBGPU_BACKEND } from './lib/activate.js';
export type { WebGpuOptions, WebGpuStatus } from './lib/activate.js';
export { describeAdapter, isSoftwareAdapter } from './lib/adapter.js';
export type { AdapterInfoLike } from './lib/adapter.js';
export { listVulkanDrivers, addSwiftShaderDriver, SWIFTSHADER_ICD_PATHS } from './lib/vulkan-drivers.js';
export type { VulkanDriver } from './lib/vulkan-drivers.js';
