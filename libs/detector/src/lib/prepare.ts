import { letterbox, rectBatchShapes, resizeLongSide, type ImageU8 } from '@vigil/core';

/** One image ready for the network and what maps its boxes back. */
export interface PreparedInput {
  /** Letterboxed HWC uint8 RGB, `shape` in size. */
  image: ImageU8;
  /** `[height, width]` of the network input (multiples of the stride). */
  shape: [number, number];
  /** Original size (pixels of the input). */
  h0: number;
  w0: number;
  /** Network pixels per original pixel and the letterbox padding `[dw, dh]` (the original's `ratio_pad`). */
  gain: number;
  pad: [number, number];
}

/**
 * Prepares one RGB image exactly as vigil-predict does for a batch of one (the original's test loader): long side
 * resized to `imgSize` (size int(w0·r), int(h0·r); cv2 INTER_AREA when shrinking, INTER_LINEAR when enlarging), then
 * letterboxed with grey 114 to its rect shape `ceil(shape·imgSize/stride + 0.5)·stride` (no enlarging, centred).
 */
export function prepareInput(rgb: ImageU8, imgSize: number, stride: number): PreparedInput {
  const { width: w0, height: h0 } = rgb;
  const resized = resizeLongSide(rgb, imgSize);
  const shape = rectBatchShapes([[w0, h0]], 1, imgSize, stride, 0.5).batchShapes[0]!;
  const lb = letterbox(resized, shape, { auto: false, scaleup: false });
  return { image: lb.image, shape, h0, w0, gain: (resized.height / h0) * lb.ratio[0], pad: lb.pad };
}
