import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { checkpointFromModel, saveCheckpoint, tinyP6Spec, YoloModel } from '@vigil/yolov5';
import { parseExportSize } from './export.js';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--conditions=@vigil/source', '--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, VIGIL_BACKEND: 'cpu' } });
}
const dir = mkdtempSync(join(tmpdir(), 'vigil export '));

describe('vigil-predict export', () => {
  it('writes an ONNX model beside the weights with the class names in its metadata', () => {
    const weights = join(dir, 'tiny p6.vckpt');
    const m = YoloModel.create(tinyP6Spec(2), { seed: 1, names: ['eye_open', 'eye_closed'] });
    saveCheckpoint(weights, checkpointFromModel(m));
    m.dispose();
    const r = cli('export', '--weights', weights, '--format', 'onnx', '--img', '128', '--dynamic');
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/exported .* → .*tiny p6\.onnx \(ONNX opset 13, .*\): input images \[batch, 3, height, width\], output \[batch, anchors, 7\], classes eye_open, eye_closed/);
    const proto = onnxProto.onnx.ModelProto.decode(readFileSync(join(dir, 'tiny p6.onnx')));
    expect(proto.metadataProps.map((p) => [p.key, p.value])).toEqual([['stride', '64'], ['names', "{0: 'eye_open', 1: 'eye_closed'}"]]);
    const bad = cli('export', '--weights', weights, '--img', '100', '--out', join(dir, 'x.onnx'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^vigil-predict: ONNX export: image size 100×100 must be positive multiples of the model's largest stride 64/m);
    expect(bad.stderr).not.toMatch(/\s+at /);
  });

  it('parses --img as one size or height width', () => {
    expect(parseExportSize(['640'])).toEqual([640, 640]);
    expect(parseExportSize(['480', '640'])).toEqual([480, 640]);
    expect(() => parseExportSize(['640', '480', '320'])).toThrow(/give one size \(square\) or two \(height width\)/);
    expect(() => parseExportSize(['abc'])).toThrow(/--img abc: expected integers in \[32, 8192\]/);
  });
});
