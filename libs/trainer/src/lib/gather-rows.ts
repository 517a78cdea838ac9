import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.gather(x, rows)` along axis 0 with an efficient gradient: a scatter-add (`tf.scatterND`, which sums duplicate
 * rows) of dy into zeros of x's shape. tfjs's own GatherV2 gradient goes through unsortedSegmentSum, which the CPU
 * backend runs as one masked reduction per segment — O(rows·n), far too slow for a prediction map with 10⁵ rows.
 *
 * @param x `[R, C]` float32
 * @param rows indices into 0…R−1 (duplicates allowed), length n
 * @returns `[n, C]`; caller disposes.
 */
export function gatherRows(x: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
  const shape = x.shape;
  const n = rows.length;
  const f = tf.customGrad((...args: unknown[]) => ({
    value: tf.gather(args[0] as tf.Tensor, tf.tensor1d(rows, 'int32')),
    gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.tensor2d(rows, [n, 1], 'int32'), dy, shape),
  }));
  return f(x) as tf.Tensor2D;
}
