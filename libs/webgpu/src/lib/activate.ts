import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { describeAdapter, isSoftwareAdapter, type AdapterInfoLike } from './adapter.js';
import { registerWebGpuKernels } from './kernels.js';
import { installEventPump, mapReadSync } from './sync-read.js';
import { addSwiftShaderDriver, listVulkanDrivers } from './vulkan-drivers.js';

/** Environment variable that lets auto-selection use a software adapter (SwiftShader) too: `1`. */
export const ALLOW_SOFTWARE_ENV = 'VIGIL_WEBGPU_ALLOW_SOFTWARE';

/** The tfjs backend name. */
export const WEBGPU_BACKEND = 'webgpu';

export interface WebGpuOptions {
  /** Accept a software emulation (SwiftShader) as the adapter; default: env {@link ALLOW_SOFTWARE_ENV} is `1`. */
  allowSoftware?: boolean;
  /** Environment to read {@link ALLOW_SOFTWARE_ENV} from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** What {@link activateWebGpu} set up. */
export interface WebGpuStatus {
  tfBackend: string;
  /** The adapter as Dawn reports it. */
  adapter: AdapterInfoLike;
  software: boolean;
  /** One line for the start-up report, naming the adapter. */
  description: string;
}

/** What the `webgpu` package exports: `create(dawnFlags)` → `navigator.gpu`, and the WebGPU globals. */
export interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  readonly info: AdapterInfoLike;
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  requestDevice(descriptor: { requiredFeatures: string[]; requiredLimits: Record<string, number> }): Promise<GPUDevice>;
}

let active: Promise<WebGpuStatus> | undefined;

function isModuleNotFound(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** The npm package of Dawn's Node binding: an optional dependency (130 MB of prebuilt binaries). */
const DAWN_PACKAGE = 'webgpu';

/** Imports Dawn's binding (`spec`: the package name; a parameter so tests can name a missing one). */
export async function loadDawn(spec: string): Promise<DawnModule> {
  try {
    // a variable specifier: tsc and bundlers do not require the optional package at build time
    return (await import(spec)) as DawnModule;
  } catch (e) {
    if (isModuleNotFound(e)) throw new Error('the webgpu package (Dawn for Node) is not installed (it is an optional dependency of @vigil/webgpu)');
    throw new Error(`the webgpu package failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** Checks the Vulkan drivers before loading Dawn (Linux), so a machine without a usable one costs nothing. */
function checkDrivers(allowSoftware: boolean): void {
  if (process.platform !== 'linux') return;
  if (allowSoftware) addSwiftShaderDriver();
  const drivers = listVulkanDrivers();
  if (drivers.length === 0) {
    throw new Error(
      'no Vulkan driver is installed (no ICD manifest in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d or VK_ICD_FILENAMES): ' +
        "install the GPU's Vulkan driver (or Debian's chromium, whose SwiftShader emulation --backend webgpu uses)",
    );
  }
  if (!allowSoftware && drivers.every((d) => d.software)) {
    throw new Error(`only a software Vulkan driver is installed (${drivers.map((d) => d.manifest).join(', ')}); use --backend webgpu or ${ALLOW_SOFTWARE_ENV}=1 to run on it`);
  }
}

/** Makes Dawn's WebGPU objects visible where tfjs-backend-webgpu looks for them (`navigator.gpu`, `GPUBufferUsage`, …). */
function installGlobals(dawn: DawnModule, gpu: GpuLike): void {
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(dawn.globals)) if (g[k] === undefined) g[k] = v;
  const nav = g['navigator'] as Record<string, unknown> | undefined;
  if (nav === undefined) g['navigator'] = { gpu };
  else if (nav['gpu'] === undefined) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
}

/** The device limits and features tfjs-backend-webgpu's own factory asks for (the adapter's maxima). */
async function requestDevice(adapter: AdapterLike): Promise<GPUDevice> {
  const limitNames = ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'];
  const requiredLimits = Object.fromEntries(limitNames.map((n) => [n, adapter.limits[n]!]));
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  return adapter.requestDevice({ requiredFeatures, requiredLimits });
}

/** The parts of the backend's internals the synchronous read uses (tfjs-backend-webgpu 4.22.0). */
interface BackendInternals {
  tensorMap: { get(id: object): { values: unknown; dtype: string; complexTensorInfos: unknown; resource: GPUBuffer } };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer; releaseBuffer(b: GPUBuffer): void };
  commandEncoder: GPUCommandEncoder;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(id: object, data: unknown): unknown;
  readSync(id: object): unknown;
}

/** Replaces the canvas-based `readSync` by a staging-buffer copy mapped synchronously ({@link mapReadSync}). */
function patchReadSync(backend: WebGPUBackend): void {
  const b = backend as unknown as BackendInternals;
  const canvasRead = b.readSync.bind(b);
  b.readSync = (dataId: object) => {
    const data = b.tensorMap.get(dataId);
    // cached values, strings and complex64 (read part by part) take the stock path, which then needs no canvas
    if (data.values != null || data.dtype === 'string' || data.dtype === 'complex64') return canvasRead(dataId);
    const size = data.resource.size;
    const staging = b.bufferManager.acquireBuffer(size, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
    b.ensureCommandEncoderReady();
    b.endComputePassEncoder();
    b.commandEncoder.copyBufferToBuffer(data.resource, 0, staging, 0, size);
    b.submitQueue();
    const bytes = mapReadSync(staging, GPUMapMode.READ);
    b.bufferManager.releaseBuffer(staging);
    const vals = tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype as tf.DataType);
    return b.convertAndCacheOnCPU(dataId, vals);
  };
}

async function start(): Promise<WebGpuStatus> {
  const dawn = await loadDawn(DAWN_PACKAGE);
  installEventPump();
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (no usable Vulkan device)');
  const info = adapter.info;
  const device = await requestDevice(adapter);
  installGlobals(dawn, gpu);
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // The package registered a factory that requests its own adapter; use the device of the adapter checked here.
  tf.removeBackend(WEBGPU_BACKEND);
  const backend = new WebGPUBackend(device, info as GPUAdapterInfo);
  patchReadSync(backend);
  tf.registerBackend(WEBGPU_BACKEND, () => backend, 0);
  registerWebGpuKernels();
  const software = isSoftwareAdapter(info);
  return { tfBackend: WEBGPU_BACKEND, adapter: info, software, description: `tfjs webgpu backend on Dawn: ${describeAdapter(info)}` };
}

/**
 * Starts tfjs' WebGPU backend on Dawn (the `webgpu` package) and makes it the active tfjs backend, with a working
 * `dataSync` and an AddN that takes any number of inputs. Throws a one-line `Error` when the package, a Vulkan
 * driver or an adapter is missing, or when the only adapter is a software emulation and `allowSoftware` is off. The
 * adapter and device are set up once a process; later calls re-activate them.
 */
export async function activateWebGpu(options: WebGpuOptions = {}): Promise<WebGpuStatus> {
  const env = options.env ?? process.env;
  const allowSoftware = options.allowSoftware ?? env[ALLOW_SOFTWARE_ENV] === '1';
  if (!active) {
    checkDrivers(allowSoftware);
    active = start();
    active.catch(() => (active = undefined));
  }
  const status = await active;
  if (status.software && !allowSoftware) {
    throw new Error(`the only WebGPU adapter is a software emulation (${describeAdapter(status.adapter)}); use --backend webgpu or ${ALLOW_SOFTWARE_ENV}=1 to run on it`);
  }
  if (!(await tf.setBackend(WEBGPU_BACKEND))) throw new Error('the webgpu backend did not initialise');
  return status;
}
