import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addSwiftShaderDriver, listVulkanDrivers } from './vulkan-drivers.js';

const tmp = mkdtempSync(join(tmpdir(), 'vigil-vk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function manifest(dir: string, name: string, lib: string): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: lib, api_version: '1.3.0' } }));
  return p;
}

describe('listVulkanDrivers', () => {
  const data = join(tmp, 'share');
  const nv = manifest(join(data, 'vulkan', 'icd.d'), 'nvidia_icd.json', 'libGLX_nvidia.so.0');
  const lvp = manifest(join(data, 'vulkan', 'icd.d'), 'lvp_icd.x86_64.json', '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so');
  const ss = manifest(join(tmp, 'chromium'), 'vk_swiftshader_icd.json', './libvk_swiftshader.so');
  const base = { XDG_DATA_DIRS: data, XDG_CONFIG_DIRS: join(tmp, 'none'), HOME: join(tmp, 'home') };

  it('reads the standard directories and tells software drivers apart', () => {
    const d = listVulkanDrivers(base);
    expect(d.map((x) => [x.manifest, x.software])).toEqual([
      [lvp, true],
      [nv, false],
    ]);
    expect(d[1]!.library).toBe('libGLX_nvidia.so.0');
  });
  it('the override variables replace the search, VK_ADD_DRIVER_FILES adds to it; missing files are left out', () => {
    expect(listVulkanDrivers({ ...base, VK_ICD_FILENAMES: `${ss}:${join(tmp, 'missing.json')}` }).map((x) => x.manifest)).toEqual([ss]);
    expect(listVulkanDrivers({ ...base, VK_DRIVER_FILES: ss, VK_ICD_FILENAMES: nv }).map((x) => x.manifest)).toEqual([ss]);
    expect(listVulkanDrivers({ ...base, VK_ADD_DRIVER_FILES: ss }).map((x) => x.manifest)).toEqual([lvp, nv, ss]);
    expect(listVulkanDrivers({ XDG_DATA_DIRS: join(tmp, 'none'), XDG_CONFIG_DIRS: join(tmp, 'none'), VK_ICD_FILENAMES: join(tmp, 'missing.json') })).toEqual([]);
  });
  it('adds SwiftShader only when the user chose no drivers and no software driver is visible', () => {
    const hw = { XDG_DATA_DIRS: join(tmp, 'none'), XDG_CONFIG_DIRS: join(tmp, 'none') };
    const env: Record<string, string | undefined> = { ...hw, VK_ADD_DRIVER_FILES: nv };
    const added = addSwiftShaderDriver(env);
    // on machines with Debian's chromium it is added after what was there; elsewhere nothing changes
    if (added) expect(env['VK_ADD_DRIVER_FILES']).toBe(`${nv}:${added}`);
    else expect(env['VK_ADD_DRIVER_FILES']).toBe(nv);
    const chosen: Record<string, string | undefined> = { ...hw, VK_ICD_FILENAMES: nv };
    expect(addSwiftShaderDriver(chosen)).toBeUndefined();
    expect(chosen['VK_ADD_DRIVER_FILES']).toBeUndefined();
    const soft: Record<string, string | undefined> = { ...base };
    expect(addSwiftShaderDriver(soft)).toBeUndefined(); // lavapipe is already visible
  });
});
