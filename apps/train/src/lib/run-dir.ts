import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The original's increment_path: `dir` if free, else `dir2`, `dir3`, … */
export function incrementPath(dir: string): string {
  if (!existsSync(dir)) return dir;
  for (let n = 2; ; n++) if (!existsSync(`${dir}${n}`)) return `${dir}${n}`;
}

/** The most recently written `weights/last.vckpt` under `root` (the original's get_latest_run), or undefined. */
export function latestRun(root: string): string | undefined {
  if (!existsSync(root)) return undefined;
  let best: { f: string; t: number } | undefined;
  for (const d of readdirSync(root)) {
    const f = join(root, d, 'weights', 'last.vckpt');
    if (!existsSync(f)) continue;
    const t = statSync(f).mtimeMs;
    if (!best || t > best.t) best = { f, t };
  }
  return best?.f;
}
