// Test helpers (Node): Debian's headless Chromium through playwright-core, and a static server on 127.0.0.1 for the
// pages it opens. Used by this lib's browser test and by tools/examples-detector.spec.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/** The Chromium the tests drive: $VIGIL_CHROMIUM, else Debian's package (tools/setup.mjs installs it when root). */
export const CHROMIUM = process.env['VIGIL_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Whether browser tests run: always in CI (a missing Chromium then fails the launch), elsewhere only when the binary
 * exists; otherwise one line says why they are skipped.
 */
export function browserTestsEnabled(what: string): boolean {
  if (existsSync(CHROMIUM) || process.env['CI']) return true;
  console.warn(`${what} skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set VIGIL_CHROMIUM); CI runs it`);
  return false;
}

/** One file the server answers with. */
export interface ServedFile {
  body: Uint8Array | string;
  type: string;
}

/** A running static server: its base URL and `close()`. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** tfjs-backend-wasm's `.wasm` files, served under `/wasm/` (the pages call `setWasmPaths('/wasm/')`). */
const wasmDir = fileURLToPath(new URL('../../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));

/** Serves `files` (URL path → content) and `/wasm/*.wasm` on 127.0.0.1 at a free port. */
export async function startStaticServer(files: ReadonlyMap<string, ServedFile>): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const wasm = /^\/wasm\/([\w.-]+\.wasm)$/.exec(path);
    const f = wasm && existsSync(join(wasmDir, wasm[1]!)) ? { body: readFileSync(join(wasmDir, wasm[1]!)), type: 'application/wasm' } : files.get(path);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' }).end(f.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A headless Chromium with a fresh profile; `close()` ends it and removes the profile. */
export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium headless with a fresh `--user-data-dir` (playwright's own browser download is not
 * used). WebGL runs on SwiftShader (`--use-angle=swiftshader --enable-unsafe-swiftshader`; `--disable-gpu` would
 * leave no WebGL at all); no network beyond what the page asks of 127.0.0.1.
 */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
