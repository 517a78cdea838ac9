import '@tensorflow/tfjs-backend-cpu';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { VigilUserError } from '@vigil/core';
import { checkpointFromModel, loadModelFile, saveCheckpoint } from '@vigil/yolov5';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeShards, parseShardFile } from './merge-shards.js';
import { type PredictOptions, parsePredictOptions } from './options.js';
import { runPredictCommand } from './predict-command.js';

const fx = fileURLToPath(new URL('./fixtures/', import.meta.url));
const modelA = join(fx, 'model-a.pt');
const root = mkdtempSync(join(tmpdir(), 'vigil-predict-'));

/** A folder with the 3 synthetic fixture images, a truncated JPEG (decodes partly) and a text file named .jpg (unreadable). */
function imagesWithBadOnes(): string {
  const dir = join(root, 'src', 'images');
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  for (const f of ['synth_test_000000.jpg', 'synth_test_000001.jpg', 'synth_test_000002.jpg']) copyFileSync(join(fx, 'images', f), join(dir, f));
  const jpg = readFileSync(join(fx, 'images', 'synth_test_000001.jpg'));
  writeFileSync(join(dir, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.6)));
  writeFileSync(join(dir, 'notes.jpg'), 'this is not an image\n');
  return dir;
}

function opts(extra: Record<string, unknown>): PredictOptions {
  return parsePredictOptions({ weights: [modelA], imgSize: '128', batchSize: '2', augment: false, progress: false, project: join(root, 'runs'), ...extra });
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { log: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('vigil-predict (end to end on fixture images)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('writes every image, reports unreadable ones with no objects, prints the speed line', async () => {
    const source = imagesWithBadOnes();
    const c = capture();
    const r = await runPredictCommand(opts({ source, name: 'full' }), c.log);
    expect(r.outFile).toBe(join(root, 'runs', 'full', 'model-a_predictions.json'));
    const doc = JSON.parse(readFileSync(r.outFile, 'utf8')) as { annotations: { file_name: string; objects: unknown }[] };
    expect(doc.annotations.map((a) => a.file_name).sort()).toEqual(
      ['notes.jpg', 'synth_test_000000.jpg', 'synth_test_000001.jpg', 'synth_test_000002.jpg', 'truncated.jpg'],
    );
    const byName = new Map(doc.annotations.map((a) => [a.file_name, a.objects]));
    expect(byName.get('notes.jpg')).toEqual({});
    // A truncated JPEG decodes partly (the part present, as cv2.imread does): it is predicted, not skipped.
    expect(byName.get('truncated.jpg')).toBeDefined();
    expect(c.err.join('\n')).toMatch(/notes\.jpg: cannot read the image .*written with no objects/);
    expect(c.err.join('\n')).not.toMatch(/truncated\.jpg: cannot read the image/);
    expect(c.out.join('\n')).toMatch(/^Speed: \d+\.\d\/\d+\.\d\/\d+\.\d ms pre-process\/inference\/NMS per 128x128 image at batch-size 2$/m);
    expect(r.skipped).toBe(1);
  });

  it('rounds --img-size up to a multiple of the max stride, as check_img_size', async () => {
    const c = capture();
    await runPredictCommand(opts({ source: join(fx, 'images'), name: 'odd', imgSize: '100' }), c.log);
    expect(c.err.join('\n')).toMatch(/--img-size 100 must be a multiple of max stride 64, updating to 128/);
    expect(c.out.join('\n')).toMatch(/per 128x128 image/);
  });

  it('--empty-objects list writes [] and --save-img draws the images', async () => {
    const source = imagesWithBadOnes();
    const r = await runPredictCommand(opts({ source, name: 'list', emptyObjects: 'list', saveImg: true, confThres: '0.99' }), capture().log);
    const doc = JSON.parse(readFileSync(r.outFile, 'utf8')) as { annotations: { objects: unknown }[] };
    expect(doc.annotations.every((a) => Array.isArray(a.objects) && a.objects.length === 0)).toBe(true);
    expect(existsSync(join(root, 'runs', 'list', 'images', 'synth_test_000000.jpg'))).toBe(true);
  });

  it('--shard 0/2 + 1/2 merged = the whole run; overlapping or malformed shards are refused', async () => {
    const source = imagesWithBadOnes();
    const full = JSON.parse(readFileSync((await runPredictCommand(opts({ source, name: 'whole' }), capture().log)).outFile, 'utf8')) as {
      annotations: { file_name: string }[];
    };
    const files: string[] = [];
    for (const shard of ['0/2', '1/2']) files.push((await runPredictCommand(opts({ source, name: 'sh', shard }), capture().log)).outFile);
    expect(files[0]).toMatch(/model-a_predictions\.shard-0-of-2\.json$/);
    const shards = files.map((f) => parseShardFile(f, readFileSync(f, 'utf8')));
    expect(shards.map((s) => s.records.length)).toEqual([3, 2]);
    const merged = JSON.parse(mergeShards(shards).text) as { annotations: { file_name: string }[]; shard?: unknown };
    expect(merged.shard).toBeUndefined();
    const key = (a: { file_name: string }) => a.file_name;
    expect(merged.annotations.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(full.annotations.sort((a, b) => key(a).localeCompare(key(b))));
    expect(() => mergeShards([shards[0]!, shards[0]!])).toThrow(/both shard 0\/2/);
    expect(() => mergeShards([shards[0]!])).toThrow(/missing shard\(s\) 1\/2/);
    expect(() => parseShardFile('x.json', '{"annotations": [')).toThrow(VigilUserError);
    expect(() => parseShardFile('x.json', '{"annotations": []}')).toThrow(/no valid "shard"/);
    const overlapping = { ...shards[1]!, records: [...shards[1]!.records, shards[0]!.records[0]!] };
    expect(() => mergeShards([shards[0]!, overlapping])).toThrow(/is in both .* the shards overlap/);
  });

  it('--ensemble wbf (per-model NMS, then fusion) runs on two models', async () => {
    const modelB = join(fx, 'model-b.pt');
    const r = await runPredictCommand(opts({ source: imagesWithBadOnes(), name: 'wbf', weights: [modelA, modelB], ensemble: 'wbf', augment: true }), capture().log);
    const doc = JSON.parse(readFileSync(r.outFile, 'utf8')) as { annotations: { file_name: string; objects: { confidence_score: number }[] | object }[] };
    expect(doc.annotations).toHaveLength(5);
    const objs = doc.annotations.flatMap((a) => (Array.isArray(a.objects) ? a.objects : []));
    expect(objs.length).toBeGreaterThan(0);
    expect(objs.every((o) => o.confidence_score > 0 && o.confidence_score <= 1)).toBe(true);
  });

  it('scores right away with --labels', async () => {
    const source = imagesWithBadOnes();
    const labels = join(root, 'labels.json');
    writeFileSync(labels, JSON.stringify({ annotations: [{ file_name: 'synth_test_000000.jpg', objects: [{ class: 'face', position: [100, 50, 200, 200] }] }] }));
    const c = capture();
    const r = await runPredictCommand(opts({ source, name: 'scored', labels }), c.log);
    expect(c.out.join('\n')).toMatch(/scored against .*labels\.json/);
    expect(r.map75).toBeGreaterThanOrEqual(0);
  });

  it('models with different class lists are refused, naming both files', async () => {
    const { model } = loadModelFile(modelA);
    model.names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const other = join(root, 'other-names.vckpt');
    saveCheckpoint(other, checkpointFromModel(model));
    model.dispose();
    await expect(runPredictCommand(opts({ source: imagesWithBadOnes(), weights: [modelA, other] }), capture().log)).rejects.toThrow(
      /other-names\.vckpt predicts 7 classes \[a, b, c, d, e, f, g\] but .*model-a\.pt predicts 7 \[eye_opened/,
    );
  });
  it('stops before loading a model when two images would share one output record, naming both', async () => {
    const dir = join(root, 'clash');
    for (const sub of ['sub1', 'sub2']) mkdirSync(join(dir, sub), { recursive: true });
    const jpg = join(fx, 'images', 'synth_test_000000.jpg');
    copyFileSync(jpg, join(dir, 'sub1', 'x.jpg'));
    copyFileSync(jpg, join(dir, 'sub2', 'x.jpg'));
    const missingModel = join(root, 'no such model.pt');
    const run = runPredictCommand(opts({ source: dir, weights: [missingModel] }), capture().log);
    await expect(run).rejects.toBeInstanceOf(VigilUserError);
    await expect(runPredictCommand(opts({ source: dir, weights: [missingModel] }), capture().log)).rejects.toThrow(
      /sub1\/x\.jpg and .*sub2\/x\.jpg would both be written as file_name 'x\.jpg': rename one of them/,
    );
    // x.jpg / x.png: both <stem>.jpg under the competition's naming
    const flat = join(root, 'clash flat');
    mkdirSync(flat, { recursive: true });
    copyFileSync(jpg, join(flat, 'x.jpg'));
    copyFileSync(jpg, join(flat, 'x.png')); // the names clash before any file is read
    await expect(runPredictCommand(opts({ source: flat, weights: [missingModel] }), capture().log)).rejects.toThrow(/x\.jpg and .*x\.png would both be written as file_name 'x\.jpg'/);
  });
});

describe('predict options', () => {
  it('without --weights and no trained run: one clear message', () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(() => parsePredictOptions({})).toThrow(/train first \(`npm run demo`\) or pass --weights/);
    } finally {
      process.chdir(cwd);
    }
  });
  it('validates numbers and --shard', () => {
    expect(() => parsePredictOptions({ weights: ['x'], imgSize: 'big' })).toThrow(/--img-size big/);
    expect(() => parsePredictOptions({ weights: ['x'], shard: '2/2' })).toThrow(/--shard 2\/2/);
    expect(parsePredictOptions({ weights: ['x'], shard: '1/3' }).shard).toEqual({ index: 1, count: 3 });
    expect(parsePredictOptions({ weights: ['x'] })).toMatchObject({ imgSize: 1536, confThres: 0.006, iouThres: 0.7, batchSize: 4, augment: true });
  });
});
