import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One Vulkan driver (ICD) manifest the Vulkan loader will consider. */
export interface VulkanDriver {
  /** Path of the JSON manifest. */
  manifest: string;
  /** `ICD.library_path` from the manifest ('' when unreadable). */
  library: string;
  /** A CPU emulation (SwiftShader, lavapipe/llvmpipe), not a GPU. */
  software: boolean;
}

/** Environment variables of the Vulkan loader that replace its driver search (then only they count). */
const OVERRIDE_VARS = ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES'] as const;
/** Environment variable of the Vulkan loader that adds drivers to its search. */
const ADD_VAR = 'VK_ADD_DRIVER_FILES';

/**
 * Where SwiftShader's Vulkan driver is installed by packages that ship it outside the loader's search path
 * (Debian's and Ubuntu's chromium). It is a software emulation: used only when asked for.
 */
export const SWIFTSHADER_ICD_PATHS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

const SOFTWARE_PATTERN = /swiftshader|lvp|lavapipe|llvmpipe|softpipe/i;

/** The directories the Vulkan loader (Linux) reads driver manifests from, in its order. */
function searchDirs(env: Record<string, string | undefined>): string[] {
  const config = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':');
  const data = (env['XDG_DATA_DIRS'] || '/usr/local/share:/usr/share').split(':');
  const home = env['XDG_DATA_HOME'] || (env['HOME'] ? join(env['HOME'], '.local/share') : undefined);
  return [...config, '/etc', ...data, ...(home ? [home] : [])].filter(Boolean).map((d) => join(d, 'vulkan', 'icd.d'));
}

function readDriver(manifest: string): VulkanDriver {
  let library = '';
  try {
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: string } };
    library = json.ICD?.library_path ?? '';
  } catch {
    // an unreadable manifest is still a candidate the loader will try (and report)
  }
  return { manifest, library, software: SOFTWARE_PATTERN.test(manifest) || SOFTWARE_PATTERN.test(library) };
}

function pathList(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((p) => p !== '');
}

/**
 * The Vulkan drivers the loader will see with this environment (Linux): the override variables' files if set, else
 * the manifests in the standard directories plus `VK_ADD_DRIVER_FILES`; files that do not exist are left out, as the
 * loader skips them. Lets the caller decide before loading Dawn
 * (which prints the loader's warnings on stderr when there is no driver at all).
 */
export function listVulkanDrivers(env: Record<string, string | undefined> = process.env): VulkanDriver[] {
  for (const v of OVERRIDE_VARS) {
    const files = pathList(env[v]);
    if (files.length) return files.filter((f) => existsSync(f)).map(readDriver);
  }
  const found: string[] = [];
  for (const dir of searchDirs(env)) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.json')) found.push(join(dir, f));
  }
  return [...found, ...pathList(env[ADD_VAR]).filter((f) => existsSync(f))].map(readDriver);
}

/**
 * Adds an installed SwiftShader driver to the loader's search (`VK_ADD_DRIVER_FILES` in `env`, which for
 * `process.env` is the process environment the loader reads), unless the user chose drivers with the override
 * variables or a software driver is already visible. Returns the manifest added, if any.
 */
export function addSwiftShaderDriver(env: Record<string, string | undefined> = process.env): string | undefined {
  if (OVERRIDE_VARS.some((v) => pathList(env[v]).length)) return undefined;
  if (listVulkanDrivers(env).some((d) => d.software)) return undefined;
  const icd = SWIFTSHADER_ICD_PATHS.find((p) => existsSync(p));
  if (icd) env[ADD_VAR] = [...pathList(env[ADD_VAR]), icd].join(':');
  return icd;
}
