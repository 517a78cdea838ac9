import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Reads a golden fixture written by the fixtures' Python scripts: `<name>.json` (`arrays: { key: { shape, offset } }`
 * plus metadata) and `<name>.bin` (little-endian float32). For tests; `tensor(key)` returns a new tensor.
 */
export function readGolden<M extends object>(jsonPath: string, binPath: string): { meta: M & { arrays: Record<string, { shape: number[]; offset: number }> }; tensor: (key: string) => tf.Tensor } {
  const meta = JSON.parse(readFileSync(jsonPath, 'utf8')) as M & { arrays: Record<string, { shape: number[]; offset: number }> };
  const bin = readFileSync(binPath);
  const tensor = (key: string): tf.Tensor => {
    const a = meta.arrays[key];
    if (!a) throw new Error(`golden ${jsonPath} has no array ${key}`);
    const n = a.shape.reduce((x, y) => x * y, 1);
    return tf.tensor(new Float32Array(bin.buffer.slice(bin.byteOffset + a.offset, bin.byteOffset + a.offset + n * 4)), a.shape);
  };
  return { meta, tensor };
}
