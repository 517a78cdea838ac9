import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { VigilUserError } from '@vigil/core';

/** Where {@link findFfmpeg} found the binary. */
export interface FfmpegLocation {
  path: string;
  source: 'VIGIL_FFMPEG' | 'PATH' | '@ffmpeg-installer/ffmpeg';
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

let cached: FfmpegLocation | undefined;

/**
 * Finds ffmpeg at run time: `$VIGIL_FFMPEG`, else `ffmpeg` on PATH (the system's), else the binary shipped inside the
 * optional npm package `@ffmpeg-installer/ffmpeg` (a static build for the platform). None → one {@link VigilUserError}
 * line saying how to get one.
 */
export function findFfmpeg(): FfmpegLocation {
  if (cached) return cached;
  const env = process.env.VIGIL_FFMPEG;
  if (env) {
    if (!isExecutable(env)) throw new VigilUserError(`VIGIL_FFMPEG=${env} is not an executable file; point it at an ffmpeg binary or unset it`);
    return (cached = { path: env, source: 'VIGIL_FFMPEG' });
  }
  const exe = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, exe))) return (cached = { path: join(dir, exe), source: 'PATH' });
  }
  try {
    const pkg = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string };
    if (isExecutable(pkg.path)) return (cached = { path: pkg.path, source: '@ffmpeg-installer/ffmpeg' });
  } catch {
    // Not installed (it is optional) or no build for this platform: fall through to the error.
  }
  throw new VigilUserError(
    'ffmpeg not found: install it (`apt-get install ffmpeg`), or `npm install` the optional @ffmpeg-installer/ffmpeg, ' +
      'or set VIGIL_FFMPEG to an ffmpeg binary',
  );
}

/** Forgets the cached location (tests that change PATH or VIGIL_FFMPEG). */
export function resetFfmpegCache(): void {
  cached = undefined;
}
