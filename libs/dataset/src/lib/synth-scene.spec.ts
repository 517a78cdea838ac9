import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Rng } from '@vigil/core';
import { buildSynthScene, SYNTH_PRIORS } from './synth-scene.js';

const inside = (a: number[], b: number[], tol = 1) =>
  a[0]! >= b[0]! - tol && a[1]! >= b[1]! - tol && a[2]! <= b[2]! + tol && a[3]! <= b[3]! + tol;

describe('buildSynthScene', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = buildSynthScene(new Rng(7));
    const b = buildSynthScene(new Rng(7));
    const c = buildSynthScene(new Rng(8));
    expect(a).toEqual(b);
    expect(c.svg).not.toEqual(a.svg);
  });

  it('keeps every box integer, inside the frame, and the parts inside the face', () => {
    for (let seed = 0; seed < 300; seed++) {
      const s = buildSynthScene(new Rng(seed), 640, 480, { ...SYNTH_PRIORS, phone: 0.3, cigar: 0.3 });
      const faces = s.objects.filter((o) => o.class === 'face');
      expect(faces).toHaveLength(1);
      const face = faces[0]!.position;
      const fh = face[3] - face[1];
      expect(fh).toBeGreaterThan(0.2 * 480);
      for (const o of s.objects) {
        const [x1, y1, x2, y2] = o.position;
        expect(o.position.every(Number.isInteger)).toBe(true);
        expect(x1 >= 0 && y1 >= 0 && x2 <= 640 && y2 <= 480 && x2 > x1 && y2 > y1).toBe(true);
        if (o.class.startsWith('eye') || o.class.startsWith('mouth')) expect(inside(o.position, face)).toBe(true);
      }
      const eyes = s.objects.filter((o) => o.class.startsWith('eye'));
      expect(eyes).toHaveLength(2);
      expect(s.objects.filter((o) => o.class.startsWith('mouth')).length).toBeLessThanOrEqual(1);
    }
  });

  it('follows the priors: all-forced classes appear, zero-probability classes never do', () => {
    const forced = { eyesClosed: 1, oneEyeClosed: 0, mouthVisible: 1, mouthOpen: 1, phone: 1, cigar: 1 };
    const s = buildSynthScene(new Rng(3), 640, 480, forced);
    expect(s.objects.map((o) => o.class).sort()).toEqual(['cigar', 'eye_closed', 'eye_closed', 'face', 'mouth_opened', 'phone']);
    const none = { eyesClosed: 0, oneEyeClosed: 0, mouthVisible: 0, mouthOpen: 0, phone: 0, cigar: 0 };
    for (let seed = 0; seed < 50; seed++) {
      const t = buildSynthScene(new Rng(seed), 640, 480, none);
      expect(t.objects.map((o) => o.class).sort()).toEqual(['eye_opened', 'eye_opened', 'face']);
    }
  });

  it('has the real data’s imbalance over many frames', () => {
    const n: Record<string, number> = {};
    const N = 2000;
    for (let seed = 0; seed < N; seed++) for (const o of buildSynthScene(new Rng(seed)).objects) n[o.class] = (n[o.class] ?? 0) + 1;
    expect(n['eye_opened']! / (n['eye_opened']! + n['eye_closed']!)).toBeCloseTo(0.84, 1);
    expect((n['mouth_opened']! + n['mouth_closed']!) / N).toBeCloseTo(0.64, 1);
    expect(n['phone']! / N).toBeGreaterThan(0.02);
    expect(n['phone']! / N).toBeLessThan(0.08);
    expect(n['cigar']! / N).toBeGreaterThan(0.015);
    expect(n['cigar']! / N).toBeLessThan(0.07);
  });
});

describe('synthetic boxes are tight (pixel check)', () => {
  /** Keeps only the shapes that define class `cls` (tagged data-c), painted white on black. */
  const isolate = (svg: string, cls: string) =>
    svg.replace(/<(ellipse|rect|circle|path)\b[^>]*\/>/g, (el) =>
      el.includes(`data-c="${cls}"`) ? el.replace(/fill="[^"]*"/, 'fill="#ffffff"').replace(/stroke="[^"]*"/, 'stroke="#ffffff"') : '',
    );

  it('every class: the drawn pixels span the labelled box to within 1 px on each side', async () => {
    const forced = { eyesClosed: 0.5, oneEyeClosed: 0, mouthVisible: 1, mouthOpen: 0.5, phone: 1, cigar: 1 };
    let checked = 0;
    for (let seed = 0; seed < 12; seed++) {
      const s = buildSynthScene(new Rng(seed), 320, 240, forced);
      for (const cls of new Set(s.objects.map((o) => o.class))) {
        const boxes = s.objects.filter((o) => o.class === cls).map((o) => o.position);
        const { data, info } = await sharp(Buffer.from(isolate(s.svg, cls)))
          .flatten({ background: '#000000' })
          .greyscale()
          .raw()
          .toBuffer({ resolveWithObject: true });
        let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
        for (let y = 0; y < info.height; y++)
          for (let x = 0; x < info.width; x++)
            if (data[(y * info.width + x) * info.channels]! > 8) {
              x1 = Math.min(x1, x);
              y1 = Math.min(y1, y);
              x2 = Math.max(x2, x + 1);
              y2 = Math.max(y2, y + 1);
            }
        const u = [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
        const d = [x1 - u[0]!, y1 - u[1]!, u[2]! - x2, u[3]! - y2];
        expect(d.every((v) => v >= -1 && v <= 1), `seed ${seed} ${cls}: drawn [${x1},${y1},${x2},${y2}] label [${u.join(',')}]`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
