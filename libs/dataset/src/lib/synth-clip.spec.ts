import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_CLIP_SCRIPT, checkSynthClipScript, renderSynthClip, synthClipStateAt, writeSynthClip } from './synth-clip.js';
import type { SynthClipFrame, SynthClipScript } from './synth-clip.js';
import { readVideoFrames } from './video-reader.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil clip '));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SCRIPT: SynthClipScript = {
  duration: 2,
  events: [
    { t0: 0.5, t1: 0.8, kind: 'blink' },
    { t0: 1, t1: 1.5, kind: 'phone' },
    { t0: 1.2, t1: 1.8, kind: 'yawn' },
  ],
};
const SMALL = { width: 160, height: 120, fps: 10, script: SCRIPT, seed: 3 };

async function collect(o = SMALL): Promise<SynthClipFrame[]> {
  const out: SynthClipFrame[] = [];
  for await (const f of renderSynthClip(o)) out.push(f);
  return out;
}

const classes = (f: SynthClipFrame) => f.objects.map((o) => o.class).sort();

describe('synthetic driving clip', () => {
  it('renders the scripted states with a driver that stays put', async () => {
    const frames = await collect();
    expect(frames).toHaveLength(20);
    expect(frames.map((f) => f.t)).toEqual(Array.from({ length: 20 }, (_, i) => i / 10));
    for (const f of frames) {
      const s = synthClipStateAt(SCRIPT, f.t);
      const c = classes(f);
      expect(c.filter((k) => k === (s.eyesClosed ? 'eye_closed' : 'eye_opened'))).toHaveLength(2);
      expect(c).toContain(s.mouthOpen ? 'mouth_opened' : 'mouth_closed');
      expect(c.includes('phone')).toBe(s.phone);
      expect(c).toContain('face');
    }
    // Blink frames 5–7, yawn 12–17, phone 10–14.
    expect(frames.filter((f) => synthClipStateAt(SCRIPT, f.t).eyesClosed).map((f) => f.index)).toEqual([5, 6, 7]);
    // The face and the eye boxes are the same in every frame (only the states change).
    const box = (f: SynthClipFrame, k: string) => f.objects.filter((o) => o.class === k).map((o) => o.position);
    for (const f of frames) expect(box(f, 'face')).toEqual(box(frames[0]!, 'face'));
    expect(box(frames[6]!, 'eye_closed')).toHaveLength(2);
    expect(box(frames[4]!, 'mouth_closed')).toEqual(box(frames[0]!, 'mouth_closed'));
    // Deterministic given the seed; another seed is another driver.
    const again = await collect();
    expect(Buffer.from(again[13]!.rgb).equals(Buffer.from(frames[13]!.rgb))).toBe(true);
    const other = await collect({ ...SMALL, seed: 4 });
    expect(box(other[0]!, 'face')).not.toEqual(box(frames[0]!, 'face'));
  });

  it('writes the ground truth, PNG frames, y4m and mp4 that decode back to the frames', async () => {
    const out = join(dir, 'clip');
    const s = await writeSynthClip(out, SMALL);
    expect(s.frames).toBe(20);
    const truth = JSON.parse(await readFile(s.files.events, 'utf8'));
    expect(truth).toEqual({ fps: 10, duration: 2, events: SCRIPT.events });
    const labels = JSON.parse(await readFile(s.files.labels, 'utf8'));
    expect(labels.annotations).toHaveLength(20);
    expect(labels.annotations[6]).toMatchObject({ file_name: 'frame_000006.png', t: 0.6 });
    expect((await readdir(s.files.frames!)).length).toBe(20);
    const frames = await collect();
    const png = await sharp(join(s.files.frames!, 'frame_000012.png')).raw().toBuffer();
    expect(png.equals(Buffer.from(frames[12]!.rgb))).toBe(true);
    for (const file of [s.files.y4m!, s.files.mp4!]) {
      const decoded = [];
      for await (const f of readVideoFrames(file)) decoded.push(f);
      expect(decoded.map((f) => Math.round(f.t * 10))).toEqual(frames.map((f) => f.index));
      for (const i of [0, 6, 15]) {
        let sum = 0;
        for (let p = 0; p < decoded[i]!.data.length; p++) sum += Math.abs(decoded[i]!.data[p]! - frames[i]!.rgb[p]!);
        expect(sum / decoded[i]!.data.length, `${file} frame ${i}`).toBeLessThan(file.endsWith('.y4m') ? 1 : 4);
      }
    }
  });

  it('checks the script', () => {
    expect(() => checkSynthClipScript(SYNTH_CLIP_SCRIPT)).not.toThrow();
    expect(() => checkSynthClipScript({ duration: 5, events: [{ t0: 1, t1: 2, kind: 'blink' }, { t0: 1.5, t1: 3, kind: 'eyes_closed' }] })).toThrow(
      'clip script: eyes_closed at 1.5 s overlaps another eyes event',
    );
    expect(() => checkSynthClipScript({ duration: 5, events: [{ t0: 4, t1: 6, kind: 'yawn' }] })).toThrow(/0 ≤ t0 < t1 ≤ duration 5/);
  });

  it('rejects a bad frame format before writing anything', async () => {
    await expect(writeSynthClip(join(dir, 'bad'), { ...SMALL, frames: 'gif' as 'png' })).rejects.toThrow("clip frames must be png, jpg or none, got 'gif'");
    await expect(readdir(join(dir, 'bad'))).rejects.toThrow(/ENOENT/);
  });
});
