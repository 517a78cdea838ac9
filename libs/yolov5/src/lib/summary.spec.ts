import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSpec, resolveSpecPath } from './spec-files.js';
import { formatSummary, pyRepr, summarizeModel } from './summary.js';

const golden = JSON.parse(readFileSync(new URL('./fixtures/spec-counts.json', import.meta.url), 'utf8')) as Record<string, { params: number; layers: number; gflops: number }>;

describe('summarizeModel', () => {
  for (const [key, g] of Object.entries(golden)) {
    it(`${key}: ${g.layers} modules, ${g.params} params, ${g.gflops.toFixed(2)} GFLOPs at 640 as the original counts them`, () => {
      const [name, ncPart] = key.split('-nc');
      const s = summarizeModel(loadSpec(resolveSpecPath(name!)!, ncPart ? { nc: Number(ncPart) } : {}));
      expect(s.params).toBe(g.params);
      expect(s.moduleCount).toBe(g.layers);
      expect(s.gflops).toBeCloseTo(g.gflops, 6);
    });
  }

  it('fused yolov5s: 224 modules, 7,266,973 params, 17.0 GFLOPs (the original\'s fused summary)', () => {
    const s = summarizeModel(loadSpec(resolveSpecPath('yolov5s')!), { fused: true });
    expect(s.moduleCount).toBe(224);
    expect(s.params).toBe(7_266_973);
    expect(s.gflops.toFixed(1)).toBe('17.0');
  });

  it('prints the original table and summary line', () => {
    const text = formatSummary(summarizeModel(loadSpec(resolveSpecPath('yolov5l6')!)));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\s+from\s+n\s+params\s+module\s+arguments/);
    expect(lines[1]).toBe('  0                -1  1      7040  models.common.Focus                     [3, 64, 3]');
    expect(lines[11]).toContain('models.common.SPP                       [1024, 1024, [3, 5, 7]]');
    expect(lines[14]).toContain('torch.nn.modules.upsampling.Upsample    [None, 2, \'nearest\']');
    expect(lines[34]).toMatch(/^ 33\s+\[23, 26, 29, 32\] {2}1\s+\d+ {2}models\.yolo\.Detect\s+\[7, \[\[19, 27, 44, 40, 38, 94\]/);
    expect(lines[35]).toBe('Model Summary: 638 layers, 76701712 parameters, 76701712 gradients, 116.6 GFLOPS at 640×640');
    expect(pyRepr([null, true, false, 'a', [1, 2]])).toBe("[None, True, False, 'a', [1, 2]]");
  });
});
