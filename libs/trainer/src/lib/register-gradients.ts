/**
 * Side-effect module: registers tfjs-core's gradient functions.
 *
 * `@tensorflow/tfjs-core` alone registers no gradients (its per-file ESM `register_all_gradients` cannot be loaded by
 * Node: extensionless imports), so `tf.grad` fails with "gradient function not found for Multiply". The union package
 * `@tensorflow/tfjs` bundles them for Node (CJS) and registers them on the single tfjs-core copy of the tree (gradient
 * and kernel registries are process-global). Import this module before any gradient computation.
 */
import '@tensorflow/tfjs';
