import { Command } from 'commander';
import { VigilUserError } from '@vigil/core';
import { generateSyntheticData } from '@vigil/dataset';

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new VigilUserError(`--${name} must be an integer, got '${v}'`);
  return n;
}

/** `vigil-train synth`: renders the embedded synthetic data set in the competition layout (SPEC §9). */
export function synthCommand(): Command {
  return new Command('synth')
    .description('render a synthetic in-cabin data set in the competition layout (task03_train/, task03_test/)')
    .requiredOption('--out <dir>', 'output folder (task03_train/ and task03_test/ inside it are replaced)')
    .option('--train <n>', 'train images', '400')
    .option('--test <n>', 'test images', '100')
    .option('--seed <n>', 'random seed', '0')
    .option('--width <px>', 'image width', '640')
    .option('--height <px>', 'image height', '480')
    .option('--no-test-labels', 'do not write task03_test/labels.json')
    .action(async (opts: Record<string, string | boolean>) => {
      const t0 = performance.now();
      let last = 0;
      const summary = await generateSyntheticData(String(opts['out']), {
        train: int('train', String(opts['train'])),
        test: int('test', String(opts['test'])),
        seed: int('seed', String(opts['seed'])),
        width: int('width', String(opts['width'])),
        height: int('height', String(opts['height'])),
        testLabels: opts['testLabels'] !== false,
        onProgress: (e) => {
          const now = performance.now();
          if (process.stderr.isTTY && (now - last > 100 || e.done === e.total)) {
            last = now;
            process.stderr.write(`\r${e.phase}: ${e.done}/${e.total}${e.done === e.total ? '\n' : ''}`);
          }
        },
      });
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`synthetic set: ${summary.config.train} train + ${summary.config.test} test images → ${summary.dir} (${s} s)`);
      for (const split of ['train', 'test'] as const) {
        console.log(`  ${split} objects: ${Object.entries(summary.counts[split]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      }
    });
}
