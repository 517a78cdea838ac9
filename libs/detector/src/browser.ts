// Browser entry of @vigil/detector (the `browser` export condition): no Node-only import reaches it.
export { load } from './lib/browser-load.js';
export type { BrowserDetectorInput, BrowserWeightsSource, DomImage } from './lib/browser-load.js';
export { Detector } from './lib/detector.js';
export type { DetectedObject } from './lib/detector.js';
export type { DetectorOptions } from './lib/options.js';
export type { ImageDataLike, PortableInput } from './lib/pixels.js';
