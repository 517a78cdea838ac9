import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../program.js';
import { buildConfig, parseLayerList, SYNTHETIC_DEFAULTS } from './options.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-options-'));
mkdirSync(join(root, 'task03_train'));

/** Parses argv with the real program's flags without running the action. */
function parse(args: string[]) {
  const program = buildProgram();
  program.action(() => undefined);
  program.parse(['node', 'vigil-train', ...args]);
  return buildConfig(program.opts(), program);
}

describe('parseLayerList', () => {
  it('reads lists and ranges, sorted and unique', () => {
    expect(parseLayerList('1,2,3,4,5,8,9,10,11')).toEqual([1, 2, 3, 4, 5, 8, 9, 10, 11]);
    expect(parseLayerList('8-11, 1-5,3')).toEqual([1, 2, 3, 4, 5, 8, 9, 10, 11]);
    expect(parseLayerList('')).toEqual([]);
  });
  it('rejects junk with a message naming the flag', () => {
    expect(() => parseLayerList('1,a')).toThrow(/--freeze: 'a' is not a layer index/);
    expect(() => parseLayerList('5-1')).toThrow(/reversed/);
  });
});

describe('buildConfig', () => {
  it("default freeze = what the seed's string bug froze: 1–5 and 8–11 ('6' '7' concatenated to '67')", () => {
    const c = parse(['--data-root', root, '--prepared-dir', '/tmp/x']).stage2.freeze;
    expect(c).toEqual([1, 2, 3, 4, 5, 8, 9, 10, 11]);
  });

  it('embedded synthetic data + no --hyp → the short recipe for flags not given; explicit flags win', () => {
    process.env['VIGIL_SYNTH_DIR'] = '/tmp/vigil-options-spec-synth';
    try {
      const c = parse(['--epochs', '3']);
      if (!c.synthetic) return; // the real data is mounted on this machine: nothing to check
      expect(c.cfg).toBe(SYNTHETIC_DEFAULTS['cfg']);
      expect(c.img).toBe(320);
      expect(c.nbs).toBe(8);
      expect(c.stage1.epochs).toBe(3);
      expect(c.stage1.hypSource).toMatch(/hyp\.synthetic-short\.yaml$/);
      const orig = parse(['--hyp', 'hyp.scratch-p6']);
      expect(orig.cfg).toBe('yolov5l6.yaml');
      expect(orig.img).toBe(1280);
      expect(orig.nbs).toBe(64);
      expect(orig.warmupMinIters).toBe(1000);
      expect(orig.stage1.hyp.lr0).toBe(0.01);
    } finally {
      delete process.env['VIGIL_SYNTH_DIR'];
    }
  });

  it('a real --data-root keeps the original recipe', () => {
    const c = parse(['--data-root', root, '--prepared-dir', '/tmp/x']);
    expect(c.synthetic).toBe(false);
    expect([c.cfg, c.img, c.batch, c.nbs, c.warmupMinIters, c.stage1.epochs, c.stage1.epochParts, c.stage2.epochs, c.stage2.epochParts]).toEqual(['yolov5l6.yaml', 1280, 4, 64, 1000, 300, 15, 50, 50]);
    expect(c.stage1.hyp.lr0).toBe(0.01);
    expect(c.stage2.hyp.lr0).toBe(0.0032);
    // the seed's cadence: validation at the end of each stage, no early stopping, best by mAP@0.75
    expect([c.valPeriod, c.patience, c.fitness]).toEqual([0, 0, 'map75']);
    expect(() => parse(['--data-root', root, '--patience', '-1'])).toThrow(/--patience must be an integer ≥ 0, got '-1'/);
  });

  it('bad values are user errors naming the flag', () => {
    expect(() => parse(['--data-root', root, '--batch', '0'])).toThrow(/--batch must be an integer ≥ 1, got '0'/);
    expect(() => parse(['--data-root', root, '--img', '100'])).toThrow(/--img 100 must be a multiple of 64/);
    expect(() => parse(['--data-root', '/nonexistent/x'])).toThrow(/--data-root \/nonexistent\/x: no task03_train\/ folder/);
    expect(() => parse(['--data-root', root, '--hyp', 'nope.yaml'])).toThrow(/nope\.yaml: cannot read hyp file/);
    expect(() => parse(['--data-root', root, '--label-smoothing', '2'])).toThrow(/--label-smoothing must be a number in \[0, 1\]/);
  });

  it('--data: one stage, whole-set epochs and name exp by default; competition-only or stage-2 flags are refused', () => {
    const yaml = join(root, 'data.yaml');
    writeFileSync(yaml, 'train: a\nval: b\nnames: [x]\n');
    const c = parse(['--data', yaml]);
    expect(c.data).toBe(yaml);
    expect(c.fineTuneData).toBeUndefined();
    expect([c.synthetic, c.prepare, c.stage1.epochParts, c.stage2.epochs, c.name, c.cfg, c.img]).toEqual([false, false, 1, 0, 'exp', 'yolov5l6.yaml', 1280]);
    expect(parse(['--data', yaml, '--epoch_parts', '3', '--name', 'pets']).stage1.epochParts).toBe(3);
    // upstream's cadence: every epoch validated, EarlyStopping(patience=100), fitness 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95
    expect([c.valPeriod, c.patience, c.fitness]).toEqual([1, 100, { map50: 0.1, map50_95: 0.9 }]);
    const v = parse(['--data', yaml, '--val-period', '3', '--patience', '0']);
    expect([v.valPeriod, v.patience]).toEqual([3, 0]);
    const t = parse(['--data', yaml, '--fine-tune-data', yaml, '--epochs_tune', '4']);
    expect([t.fineTuneData, t.stage2.epochs, t.stage2.epochParts]).toEqual([yaml, 4, 1]);
    expect(() => parse(['--data', yaml, '--data-root', root])).toThrow(/--data trains on a YOLO dataset YAML .*: drop --data-root/);
    expect(() => parse(['--data', yaml, '--val-count', '5'])).toThrow(/drop --val-count/);
    expect(() => parse(['--data', yaml, '--epochs_tune', '5'])).toThrow(/--epochs_tune configure the fine-tune stage, which runs with --data only when --fine-tune-data/);
    expect(() => parse(['--fine-tune-data', yaml])).toThrow(/--fine-tune-data needs --data/);
    expect(() => parse(['--data', join(root, 'nope.yaml')])).toThrow(/--data .*nope\.yaml: no such file/);
  });
});
