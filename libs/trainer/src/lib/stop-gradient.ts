import * as tf from '@tensorflow/tfjs-core';

const stop = tf.customGrad((...args: unknown[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/**
 * Identity in the forward pass, zero gradient in the backward pass: PyTorch's `.detach()` / `torch.no_grad()` for a
 * value that is used inside a differentiated function. Returns a new tensor (caller / enclosing tidy disposes).
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stop(x) as T;
}
