/**
 * Renders the synthetic driving clip (@vigil/dataset `writeSynthClip`): the demo's synthetic driver blinking, closing
 * the eyes for 3 s, yawning and phoning, with the ground-truth timeline — for `vigil-predict monitor --truth` and
 * Chromium's fake camera (`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=<out>/clip.y4m`).
 *
 *   node --conditions=@vigil/source --import tsx tools/make-synth-clip.ts --out data/clip [--seed 0] [--fps 10]
 *        [--width 640] [--height 480] [--frames png|jpg|none] [--no-mp4] [--no-y4m]
 */
import { parseArgs } from 'node:util';
import { runCli } from '@vigil/core';
import { writeSynthClip } from '@vigil/dataset';

await runCli('make-synth-clip', async () => {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'data/clip' },
      seed: { type: 'string', default: '0' },
      fps: { type: 'string', default: '10' },
      width: { type: 'string', default: '640' },
      height: { type: 'string', default: '480' },
      frames: { type: 'string', default: 'png' },
      'no-mp4': { type: 'boolean', default: false },
      'no-y4m': { type: 'boolean', default: false },
    },
  });
  const frames = values.frames as 'png' | 'jpg' | 'none';
  const s = await writeSynthClip(values.out, {
    seed: Number(values.seed),
    fps: Number(values.fps),
    width: Number(values.width),
    height: Number(values.height),
    frames,
    mp4: !values['no-mp4'],
    y4m: !values['no-y4m'],
    onProgress: (p) => {
      if (p.done % 50 === 0 || p.done === p.total) process.stderr.write(`clip: ${p.done}/${p.total} frames\n`);
    },
  });
  console.log(`${s.frames} frames ${s.width}x${s.height} at ${s.fps} fps in ${s.dir}: ${Object.values(s.files).join(', ')}`);
  for (const e of s.events) console.log(`  ${e.kind.padEnd(12)} ${e.t0.toFixed(2)}–${e.t1.toFixed(2)} s`);
});
