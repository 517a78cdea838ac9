// vitest setup: all trainer tests run on the tfjs CPU backend (deterministic, no native code).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

await tf.setBackend('cpu');
await tf.ready();
