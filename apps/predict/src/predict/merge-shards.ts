import { VigilUserError } from '@vigil/core';
import type { PyJson } from './py-json.js';
import { type PredictionRecord, type ShardInfo, predictionsText } from './output.js';

/** A parsed shard file. */
export interface ShardFile {
  file: string;
  shard: ShardInfo;
  records: PredictionRecord[];
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

/** Parses one shard output; malformed → a user error naming the file and the problem. */
export function parseShardFile(file: string, text: string): ShardFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VigilUserError(`${file} is not JSON (${(e as Error).message}); was the shard run interrupted? Re-run that shard.`, file);
  }
  const d = doc as { annotations?: unknown; shard?: { index?: unknown; count?: unknown; total?: unknown } };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(d.annotations)) {
    throw new VigilUserError(`${file}: no "annotations" list; expected a vigil-predict --shard output`, file);
  }
  const s = d.shard;
  if (!s || !isInt(s.index) || !isInt(s.count) || !isInt(s.total) || s.count < 1 || s.index < 0 || s.index >= s.count) {
    throw new VigilUserError(`${file}: no valid "shard": {"index", "count", "total"}; only outputs of vigil-predict --shard i/n can be merged`, file);
  }
  d.annotations.forEach((a: unknown, k) => {
    const r = a as { file_name?: unknown; objects?: unknown };
    if (typeof a !== 'object' || a === null || typeof r.file_name !== 'string' || typeof r.objects !== 'object' || r.objects === null) {
      throw new VigilUserError(`${file}: annotations[${k}] is not {"file_name": ..., "objects": ...}`, file);
    }
  });
  return { file, shard: { index: s.index, count: s.count, total: s.total }, records: d.annotations as PredictionRecord[] };
}

/**
 * Joins the outputs of `--shard 0/n … n-1/n` into one predictions file (annotations in shard order). Every shard must
 * be present exactly once, from the same split (same n and image total), with no image in two shards and the image
 * counts adding up to the total.
 */
export function mergeShards(shards: readonly ShardFile[]): { text: string; images: number } {
  if (shards.length === 0) throw new VigilUserError('merge: no shard files given');
  const { count, total } = shards[0]!.shard;
  const byIndex = new Map<number, ShardFile>();
  for (const s of shards) {
    if (s.shard.count !== count || s.shard.total !== total) {
      throw new VigilUserError(
        `${s.file} is shard ${s.shard.index}/${s.shard.count} of ${s.shard.total} images but ${shards[0]!.file} is of a ${count}-way split of ${total} images; merge shards of one run only`,
        s.file,
      );
    }
    const prev = byIndex.get(s.shard.index);
    if (prev) throw new VigilUserError(`${s.file} and ${prev.file} are both shard ${s.shard.index}/${count}; pass each shard once`, s.file);
    byIndex.set(s.shard.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) throw new VigilUserError(`missing shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')}; run them, then merge all ${count}`);
  const seen = new Map<string, string>();
  const records: PredictionRecord[] = [];
  for (let i = 0; i < count; i++) {
    const s = byIndex.get(i)!;
    for (const r of s.records) {
      const other = seen.get(r.file_name);
      if (other) throw new VigilUserError(`image ${r.file_name} is in both ${other} and ${s.file}: the shards overlap; re-run them with the same --source`, s.file);
      seen.set(r.file_name, s.file);
      records.push(r);
    }
  }
  if (records.length !== total) {
    throw new VigilUserError(`the shards hold ${records.length} images but the source had ${total}; a shard is incomplete — re-run it`);
  }
  return { text: predictionsText(records.map((r) => ({ ...r, objects: r.objects as PyJson[] }))), images: records.length };
}
