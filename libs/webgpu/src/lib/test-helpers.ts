import { activateWebGpu, type WebGpuStatus } from './activate.js';

/**
 * Activates the webgpu backend on whatever adapter exists (SwiftShader included). Without one, tests skip with the
 * reason — except in CI (`CI` set), where the set-up installs SwiftShader and a missing adapter is a failure.
 */
export async function webgpuForTests(): Promise<{ status?: WebGpuStatus; skip?: string }> {
  try {
    return { status: await activateWebGpu({ allowSoftware: true }) };
  } catch (e) {
    if (process.env['CI']) throw e;
    const skip = `no WebGPU adapter here, webgpu tests skipped: ${(e as Error).message}`;
    console.warn(skip);
    return { skip };
  }
}
