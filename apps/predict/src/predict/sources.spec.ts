import '@tensorflow/tfjs-backend-cpu';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { readVideoFrames, resetFfmpegCache, saveVideoFrames, writeSynthClip } from '@vigil/dataset';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePredictOptions } from './options.js';
import { type Log, runPredictCommand } from './predict-command.js';

const fx = fileURLToPath(new URL('./fixtures/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'vigil-sources-'));
const imgs = join(root, 'imgs');
const NAMES = ['synth_test_000000.jpg', 'synth_test_000001.jpg', 'synth_test_000002.jpg'];
const quiet: Log = { out: () => undefined, err: () => undefined };

type Doc = { annotations: { file_name: string; objects: unknown }[] };

/** Predicts `source` with the tiny fixture model (no TTA, 64 px, batch 2) and returns the records in file order. */
async function predict(source: string | string[], name: string, extra: Record<string, unknown> = {}, log: Log = quiet) {
  const o = parsePredictOptions({
    weights: [join(fx, 'model-a.pt')], source, imgSize: '64', batchSize: '2', augment: false, progress: false, project: join(root, 'runs'), name, ...extra,
  });
  const r = await runPredictCommand(o, log);
  return { ...r, doc: JSON.parse(readFileSync(r.outFile, 'utf8')) as Doc };
}

const byName = (d: Doc) => new Map(d.annotations.map((a) => [a.file_name, a.objects]));

describe('--source kinds give the detections of the same images predicted as a folder', () => {
  let folder: Map<string, unknown>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    mkdirSync(imgs, { recursive: true });
    for (const f of NAMES) copyFileSync(join(fx, 'images', f), join(imgs, f));
    folder = byName((await predict(imgs, 'folder')).doc);
    expect([...folder.keys()].sort()).toEqual(NAMES);
    // the comparison means something only if the tiny model finds objects
    expect([...folder.values()].some((o) => Array.isArray(o) && o.length > 0)).toBe(true);
  });

  it('a single image file', async () => {
    const { doc } = await predict(join(imgs, NAMES[1]!), 'file');
    expect(doc.annotations).toEqual([{ file_name: NAMES[1], objects: folder.get(NAMES[1]!) }]);
  });

  it('a glob pattern (expanded by us) and a .txt list (lines relative to the list\'s folder)', async () => {
    const glob = await predict(join(imgs, 'synth_test_00000[02].jpg'), 'glob');
    expect(byName(glob.doc)).toEqual(new Map([NAMES[0]!, NAMES[2]!].map((n) => [n, folder.get(n)])));
    mkdirSync(join(root, 'lists'), { recursive: true });
    const list = join(root, 'lists', 'some.txt');
    writeFileSync(list, `../imgs/${NAMES[2]}\n\n./../imgs/${NAMES[0]}\n${join(imgs, NAMES[1]!)}\n`);
    const listed = await predict(list, 'list');
    expect(byName(listed.doc)).toEqual(folder);
  });

  it('a video: every frame in order, named <stem>_<frame>.jpg, as its frames extracted to lossless PNG; --save-img writes the annotated video', async () => {
    const clip = await writeSynthClip(join(root, 'clip'), { fps: 5, width: 96, height: 64, script: { duration: 1.2, events: [] }, frames: 'none', y4m: false });
    const video = join(root, 'clip', 'drive.mp4');
    copyFileSync(clip.files.mp4!, video);
    const framesDir = join(root, 'frames');
    const n = await saveVideoFrames(video, framesDir);
    expect(n).toBe(clip.frames);
    const asImages = await predict(framesDir, 'frames');
    const err: string[] = [];
    const tensors = tf.memory().numTensors;
    const asVideo = await predict(video, 'video', { saveImg: true, confThres: '0.001' }, { out: () => undefined, err: (l) => void err.push(l) });
    expect(tf.memory().numTensors).toBe(tensors); // models and every frame batch freed
    const low = await predict(framesDir, 'frames-low', { confThres: '0.001' });
    expect(asVideo.doc.annotations.map((a) => a.file_name)).toEqual(Array.from({ length: n }, (_, i) => `drive_${String(i).padStart(6, '0')}.jpg`));
    expect(byName(asVideo.doc)).toEqual(byName(low.doc));
    expect(asVideo.doc.annotations.some((a) => Array.isArray(a.objects) && a.objects.length > 0)).toBe(true);
    expect(err.join('\n')).toMatch(/video .*drive\.mp4: 6 frames \(annotated: .*images\/drive\.mp4\)/);
    let written = 0;
    for await (const f of readVideoFrames(join(root, 'runs', 'video', 'images', 'drive.mp4'))) {
      expect([f.width, f.height]).toEqual([96, 64]);
      written++;
    }
    expect(written).toBe(n);
    // mixed sources: the images (rect order) and then the video's frames
    const mixed = await predict([join(imgs, NAMES[0]!), video], 'mixed');
    expect(mixed.doc.annotations.map((a) => a.file_name)).toEqual([NAMES[0], ...byName(asImages.doc).keys()]);
    expect(byName(mixed.doc)).toEqual(new Map([[NAMES[0]!, folder.get(NAMES[0]!)], ...byName(asImages.doc)]));
  });

  it('bad sources are one line naming them, before the models load', async () => {
    const bad = (source: string | string[], extra: Record<string, unknown> = {}) => predict(source, 'bad', extra);
    await expect(bad(join(root, 'nope'))).rejects.toThrow(/nope does not exist: give an image or video file, a folder, a quoted glob pattern or a \.txt list/);
    await expect(bad(join(imgs, '*.png'))).rejects.toThrow(/the pattern '.*imgs\/\*\.png' matches no image or video file/);
    const empty = join(root, 'lists', 'empty.txt');
    writeFileSync(empty, '\n  \n');
    await expect(bad(empty)).rejects.toThrow(/empty\.txt: the list names no files/);
    const missing = join(root, 'lists', 'missing.txt');
    writeFileSync(missing, `../imgs/${NAMES[0]}\n../imgs/gone.jpg\n../imgs/gone2.jpg\n`);
    await expect(bad(missing)).rejects.toThrow(/missing\.txt:2: .*imgs\/gone\.jpg does not exist \(and 1 more missing line\): fix or drop the line/);
    const notes = join(root, 'notes.csv');
    writeFileSync(notes, 'a,b\n');
    await expect(bad(notes)).rejects.toThrow(/notes\.csv: not an image, a video, a folder or a \.txt list/);
    const video = join(root, 'clip', 'drive.mp4');
    await expect(bad(video, { shard: '0/2' })).rejects.toThrow(/--shard splits a list of images; predict the video \(.*drive\.mp4\) in a run without --shard/);
    const prev = process.env.VIGIL_FFMPEG;
    process.env.VIGIL_FFMPEG = join(root, 'no-ffmpeg');
    resetFfmpegCache();
    try {
      await expect(bad(video)).rejects.toThrow(/VIGIL_FFMPEG=.*no-ffmpeg is not an executable file/);
    } finally {
      if (prev === undefined) delete process.env.VIGIL_FFMPEG;
      else process.env.VIGIL_FFMPEG = prev;
      resetFfmpegCache();
    }
  });
});
