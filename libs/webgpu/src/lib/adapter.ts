/** What Dawn reports about a WebGPU adapter (`GPUAdapter.info`). */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE_PATTERN = /swiftshader|llvmpipe|lavapipe|softpipe|warp|software/i;

/** A CPU emulation of a GPU (SwiftShader, llvmpipe, WARP): correct but slow, so auto-selection never picks it. */
export function isSoftwareAdapter(info: AdapterInfoLike): boolean {
  if (info.isFallbackAdapter) return true;
  return [info.vendor, info.architecture, info.device, info.description].some((s) => s !== undefined && SOFTWARE_PATTERN.test(s));
}

/** One-line name of the adapter: `vendor architecture (description)`, e.g. `google swiftshader (SwiftShader driver 5.0.0)`. */
export function describeAdapter(info: AdapterInfoLike): string {
  const head = [info.vendor, info.architecture].filter((s) => s).join(' ') || info.device || 'unknown adapter';
  const tail = info.description && info.description !== head ? ` (${info.description})` : '';
  return `${head}${tail}${isSoftwareAdapter(info) ? ', software emulation' : ''}`;
}
