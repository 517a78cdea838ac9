/**
 * tfjs-core's Node build (`tf-core.node.js`) registers no gradient functions: `tf.grad` / `variableGrads` fail with
 * "gradient function not found for …" unless something registers them. The @tensorflow/tfjs package's Node build
 * carries all of tfjs-core's gradient configs and registers them (in tfjs-core's global registry) when imported.
 */
let loaded: Promise<void> | undefined;

/** Registers tfjs-core's gradient functions once (idempotent). Needed for any training with tfjs-core alone. */
export function registerGradients(): Promise<void> {
  loaded ??= import('@tensorflow/tfjs').then(() => undefined);
  return loaded;
}
