import * as tf from '@tensorflow/tfjs-core';

/**
 * Stand-in detector mirrored from fixtures/make-tta-golden.py `toy_detect`: 8×8 average pooling of the channel mean,
 * one row per cell (row-major): cx, cy, w, h, obj, 3 class probabilities. `[B, H, W, 3]` → `[B, N, 8]`.
 */
export function toyDetect(x: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const pooled = tf.avgPool(tf.mean(x, 3, true) as tf.Tensor4D, 8, 8, 'valid');
    const [b, h, w] = pooled.shape;
    const v = tf.reshape(pooled, [b, h, w]);
    const cx = tf.broadcastTo(tf.reshape(tf.mul(tf.add(tf.range(0, w), 0.5), 8), [1, 1, w]), [b, h, w]);
    const cy = tf.broadcastTo(tf.reshape(tf.mul(tf.add(tf.range(0, h), 0.5), 8), [1, h, 1]), [b, h, w]);
    const cols = [cx, cy, tf.add(4, tf.mul(10, v)), tf.add(6, tf.mul(5, v)), v, tf.sub(1, v), tf.mul(v, v), tf.fill([b, h, w], 0.5)];
    return tf.reshape(tf.stack(cols, 3), [b, h * w, 8]);
  });
}
