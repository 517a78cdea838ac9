import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { VigilUserError } from '@vigil/core';
import { mergeShards, parseShardFile } from '../predict/merge-shards.js';
import { writeFileAtomic } from '../predict/output.js';

/** `vigil-predict merge`: joins the outputs of `--shard i/n` runs into one predictions file. */
export function mergeCommand(): Command {
  return new Command('merge')
    .description('Join the outputs of `vigil-predict --shard i/n` (all n shards of one run) into one predictions file.')
    .argument('<files...>', 'shard outputs (…_predictions.shard-<i>-of-<n>.json)')
    .requiredOption('--out <file>', 'merged predictions file')
    .action((files: string[], opts: { out: string }) => {
      const shards = files.map((f) => {
        let text: string;
        try {
          text = readFileSync(f, 'utf8');
        } catch (e) {
          throw new VigilUserError(`cannot read shard ${f} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, f);
        }
        return parseShardFile(f, text);
      });
      const merged = mergeShards(shards);
      writeFileAtomic(opts.out, merged.text);
      process.stdout.write(`${shards.length} shards, ${merged.images} images → ${opts.out}\n`);
    });
}
