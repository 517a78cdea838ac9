// Node entry of @vigil/detector (the `node` export condition); the browser entry is browser.ts.
export { load } from './lib/node-load.js';
export type { NodeDetectorInput, NodeWeightsSource } from './lib/node-load.js';
export { Detector } from './lib/detector.js';
export type { DetectedObject } from './lib/detector.js';
export type { DetectorOptions } from './lib/options.js';
export type { ImageDataLike, PortableInput } from './lib/pixels.js';
