import { readFileSync } from 'node:fs';
import { parseSpecYaml, resolveSpec, type ResolvedSpec } from './spec.js';
import { specsDir } from './spec-files.js';

/**
 * A tiny P6 spec for tests: the shipped yolov5n6 structure (same rows, depth 0.33) at width_multiple 0.0625
 * (channels 8…64), so models build and run in milliseconds on the cpu backend.
 */
export function tinyP6Spec(nc = 7): ResolvedSpec {
  const cfg = parseSpecYaml(readFileSync(`${specsDir()}/yolov5n6.yaml`, 'utf8'), 'tiny-p6');
  cfg.width_multiple = 0.0625;
  return resolveSpec(cfg, { nc, source: 'tiny-p6' });
}

/** A tiny P5 spec (v5.0 yolov5s structure, width 0.0625, nc 3). */
export function tinyP5Spec(nc = 3): ResolvedSpec {
  const cfg = parseSpecYaml(readFileSync(`${specsDir()}/yolov5s.yaml`, 'utf8'), 'tiny-p5');
  cfg.width_multiple = 0.0625;
  return resolveSpec(cfg, { nc, source: 'tiny-p5' });
}
