import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeDivisible, parseSpecYaml, pyRound, resolveSpec } from './spec.js';
import { loadSpec, resolveSpecPath, shippedSpecNames, specsDir } from './spec-files.js';

/** Golden counts from the original's code (fixtures/make-spec-counts.py). */
const golden = JSON.parse(readFileSync(new URL('./fixtures/spec-counts.json', import.meta.url), 'utf8')) as Record<
  string,
  { nc: number; params: number; layers: number; rowParams: number[]; gflops: number; strides: number[] }
>;

const N6 = readFileSync(`${specsDir()}/yolov5n6.yaml`, 'utf8');

describe('spec parsing', () => {
  it('ships the P6 (n6/s6/m6/l6/x6) and v5.0 P5 (s/m/l/x) specs', () => {
    expect(shippedSpecNames()).toEqual(['yolov5l', 'yolov5l6', 'yolov5m', 'yolov5m6', 'yolov5n6', 'yolov5s', 'yolov5s6', 'yolov5x', 'yolov5x6']);
    expect(resolveSpecPath('yolov5n6')).toMatch(/specs\/yolov5n6\.yaml$/);
    expect(resolveSpecPath('yolov5n6.yaml')).toMatch(/specs\/yolov5n6\.yaml$/);
    expect(resolveSpecPath('nope')).toBeUndefined();
  });

  it('yolov5l6 with nc=7 has 76,701,712 parameters', () => {
    const s = loadSpec(resolveSpecPath('yolov5l6')!);
    expect(s.nc).toBe(7);
    expect(s.params).toBe(76_701_712);
    expect(s.strides).toEqual([8, 16, 32, 64]);
    expect(s.anchorsPx[0]).toEqual([[19, 27], [44, 40], [38, 94]]);
    expect(s.anchorsPx[3]).toEqual([[436, 615], [739, 380], [925, 792]]);
  });

  for (const [key, g] of Object.entries(golden)) {
    it(`${key}: parameter count per row and in total equals the original's (${g.params})`, () => {
      const [name, ncPart] = key.split('-nc');
      const s = loadSpec(resolveSpecPath(name!)!, ncPart ? { nc: Number(ncPart) } : {});
      expect(s.nc).toBe(g.nc);
      expect(s.layers.map((l) => l.params)).toEqual(g.rowParams);
      expect(s.params).toBe(g.params);
      expect(s.strides).toEqual(g.strides);
    });
  }

  it('applies the depth and width gains as the original (Python rounding, ceil to 8)', () => {
    expect(pyRound(2.5)).toBe(2);
    expect(pyRound(3.5)).toBe(4);
    expect(pyRound(0.99)).toBe(1);
    expect(pyRound(-2.5)).toBe(-2);
    expect(makeDivisible(768 * 0.25)).toBe(192);
    expect(makeDivisible(64 * 0.33)).toBe(24);
    const s = resolveSpec(parseSpecYaml(N6));
    expect(s.layers[0]).toMatchObject({ module: 'Focus', c1: 3, c2: 16, k: 3, s: 1 });
    expect(s.layers[2]).toMatchObject({ module: 'C3', c2: 32, repeats: 1, shortcut: true });
    expect(s.layers[4]).toMatchObject({ module: 'C3', c2: 64, repeats: 3 });
    expect(s.layers[10]).toMatchObject({ module: 'SPP', c2: 256, poolKernels: [3, 5, 7] });
    expect(s.layers[11]).toMatchObject({ module: 'C3', shortcut: false });
    expect(s.layers[14]).toMatchObject({ module: 'Concat', inputs: [13, 8], c2: 192 + 192 });
    expect(s.layers[33]).toMatchObject({ module: 'Detect', inputs: [23, 26, 29, 32], detectChannels: [64, 128, 192, 256], c2: 36 });
    expect(s.save).toEqual([4, 6, 8, 12, 16, 20, 23, 26, 29, 32]);
  });

  it('nc override changes only the Detect outputs', () => {
    const s = resolveSpec(parseSpecYaml(N6), { nc: 1 });
    expect(s.nc).toBe(1);
    expect(s.no).toBe(6);
    expect(s.params).toBe(3_116_272 - 6 * 3 * (64 + 128 + 192 + 256 + 4));
  });

  it('reverses anchors whose areas disagree with the stride order (check_anchor_order)', () => {
    const cfg = parseSpecYaml(N6);
    cfg.anchors = cfg.anchors.slice().reverse();
    const s = resolveSpec(cfg);
    expect(s.anchorsPx[0]).toEqual([[19, 27], [44, 40], [38, 94]]);
  });
});

describe('spec errors name the row', () => {
  const cfg = () => parseSpecYaml(N6, 'n6.yaml');
  it('unknown module', () => {
    const c = cfg();
    c.backbone[3]![2] = 'Conv3';
    expect(() => resolveSpec(c, { source: 'n6.yaml' })).toThrow(/n6\.yaml: row 3 \(backbone\[3\]\) .*unknown module "Conv3": supported are Focus, Conv/);
  });
  it('malformed row and bad from', () => {
    const c = cfg();
    (c.head as unknown[])[1] = [-1, 1, 'nn.Upsample'];
    expect(() => resolveSpec(c, { source: 'n6.yaml' })).toThrow(/row 13 \(head\[1\]\).*must be \[from, number, module, args\]/);
    const d = cfg();
    d.head[2]![0] = [-1, 40];
    expect(() => resolveSpec(d, { source: 'n6.yaml' })).toThrow(/row 14 \(head\[2\]\).*"from" 40 must refer to an earlier layer/);
  });
  it('mismatched concat sizes, Detect arity, bad yaml', () => {
    const c = cfg();
    c.head[2]![0] = [-1, 6];
    expect(() => resolveSpec(c)).toThrow(/row 14 .*different spatial sizes/);
    const d = cfg();
    d.anchors = d.anchors.slice(0, 3);
    expect(() => resolveSpec(d)).toThrow(/row 33 .*Detect has 4 inputs but "anchors" has 3 rows/);
    expect(() => parseSpecYaml('nc: [', 'bad.yaml')).toThrow(/bad\.yaml: not valid YAML/);
    expect(() => parseSpecYaml('nc: 7\n', 'x.yaml')).toThrow(/x\.yaml: "depth_multiple" must be a positive number/);
    expect(() => loadSpec('/nonexistent/a.yaml')).toThrow(/model spec \/nonexistent\/a\.yaml cannot be read \(ENOENT\)/);
  });
});
