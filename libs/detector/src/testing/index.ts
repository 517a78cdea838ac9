export { CHROMIUM, browserTestsEnabled, startStaticServer, launchChromium } from './chromium.js';
export type { ServedFile, StaticServer, Chromium } from './chromium.js';
export { expectSameDetections } from './same-detections.js';
