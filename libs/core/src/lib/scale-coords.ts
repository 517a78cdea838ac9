/** Height and width of an image, in pixels (YOLOv5's `shape[:2]` order). */
export type ImageShape = readonly [height: number, width: number];

/** Letterbox gain and padding: `[[gain], [padX, padY]]` as YOLOv5's `ratio_pad` (pixels). */
export type RatioPad = readonly [gain: number, pad: readonly [number, number]];

/**
 * Clips xyxy boxes (flat `[N,4]`, pixels) in place to the image: x to [0, width], y to [0, height]
 * (YOLOv5 `clip_coords`).
 */
export function clipBoxes(boxes: Float32Array | Float64Array | number[], shape: ImageShape): void {
  const [h, w] = shape;
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = Math.min(Math.max(boxes[i]!, 0), w);
    boxes[i + 1] = Math.min(Math.max(boxes[i + 1]!, 0), h);
    boxes[i + 2] = Math.min(Math.max(boxes[i + 2]!, 0), w);
    boxes[i + 3] = Math.min(Math.max(boxes[i + 3]!, 0), h);
  }
}

/**
 * Maps xyxy boxes in place from the letterboxed network input (`img1Shape`) back to the original image
 * (`img0Shape`), then clips (YOLOv5 `scale_coords`). Without `ratioPad` the gain is min(h1/h0, w1/w0) and the padding
 * is split evenly, as `letterbox` does.
 */
export function scaleCoords(
  img1Shape: ImageShape,
  boxes: Float32Array | Float64Array | number[],
  img0Shape: ImageShape,
  ratioPad?: RatioPad,
): void {
  let gain: number;
  let padX: number;
  let padY: number;
  if (ratioPad) {
    gain = ratioPad[0];
    [padX, padY] = ratioPad[1];
  } else {
    gain = Math.min(img1Shape[0] / img0Shape[0], img1Shape[1] / img0Shape[1]);
    padX = (img1Shape[1] - img0Shape[1] * gain) / 2;
    padY = (img1Shape[0] - img0Shape[0] * gain) / 2;
  }
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = (boxes[i]! - padX) / gain;
    boxes[i + 1] = (boxes[i + 1]! - padY) / gain;
    boxes[i + 2] = (boxes[i + 2]! - padX) / gain;
    boxes[i + 3] = (boxes[i + 3]! - padY) / gain;
  }
  clipBoxes(boxes, img0Shape);
}
