import { Command, Option } from 'commander';
import { VigilUserError } from '@vigil/core';
import { formatPrepareReport, prepareData } from '@vigil/dataset';
import type { ProgressEvent } from '@vigil/dataset';

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new VigilUserError(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}

/** A one-line progress bar on stderr (only on a terminal), redrawn at most every 100 ms. */
function progressBar(): (e: ProgressEvent) => void {
  let last = 0;
  return (e) => {
    if (!process.stderr.isTTY) return;
    const now = performance.now();
    if (now - last < 100 && e.done !== e.total) return;
    last = now;
    const w = 30;
    const f = e.total ? Math.round((w * e.done) / e.total) : w;
    process.stderr.write(`\r${e.phase.padEnd(12)} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${e.done}/${e.total}${e.done === e.total ? '\n' : ''}`);
  };
}

/**
 * `vigil-train --data-root DIR [--val-count N] [--diet-source train|all] prepare [--out DIR]`: the original's
 * data_prepare on its own (split, YOLO layout, diet subset, counts, bad records).
 */
export function prepareCommand(): Command {
  return new Command('prepare')
    .description('convert <--data-root>/task03_train (labels.json + images/) into drowsy_face/ and drowsy_face_diet/ (YOLO layout)')
    .option('--out <dir>', 'where drowsy_face/ and drowsy_face_diet/ are written (replaced if an earlier prepare wrote them; any other folder of those names stops it)', '.')
    .option('--seed <n>', 'split seed', '100')
    .addOption(new Option('--link <mode>', 'cheapest way to place image files').choices(['hardlink', 'symlink', 'copy']).default('hardlink'))
    .action(async (_opts: Record<string, string>, cmd: Command) => {
      // --data-root, --val-count and --diet-source are the main command's options (shared with training).
      const opts = cmd.optsWithGlobals<Record<string, string>>();
      if (!opts['dataRoot']) throw new VigilUserError('prepare needs --data-root <dir> (the folder holding task03_train/)');
      const t0 = performance.now();
      const report = await prepareData({
        trainDir: `${opts['dataRoot']}/task03_train`,
        outDir: opts['out']!,
        valCount: int('val-count', opts['valCount'] ?? '20000'),
        dietSource: (opts['dietSource'] ?? 'train') as 'train' | 'all',
        seed: int('seed', opts['seed']!),
        linkMode: opts['link'] as 'hardlink' | 'symlink' | 'copy',
        onProgress: progressBar(),
      });
      console.log(formatPrepareReport(report));
      console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${report.datasetDir}, ${report.dietDir}`);
    });
}
