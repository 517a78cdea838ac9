import { describe, expect, it } from 'vitest';
import { createImage } from '@vigil/core';
import { greyChannel, greyToRgb } from './grey.js';

describe('grey helpers', () => {
  it('extracts the channel of a grey-in-RGB image and expands it back', () => {
    const img = createImage(3, 2, 3);
    for (let p = 0; p < 6; p++) img.data.fill(p * 40, p * 3, p * 3 + 3);
    const g = greyChannel(img)!;
    expect(Array.from(g.data)).toEqual([0, 40, 80, 120, 160, 200]);
    expect(greyToRgb(g)).toEqual(img);
  });

  it('says null for colour (even one pixel) and for 1-channel input', () => {
    const img = createImage(3, 2, 3, 10);
    img.data[17] = 11;
    expect(greyChannel(img)).toBeNull();
    expect(greyChannel(createImage(2, 2, 1))).toBeNull();
    expect(() => greyToRgb(img)).toThrow(/1-channel/);
  });
});
