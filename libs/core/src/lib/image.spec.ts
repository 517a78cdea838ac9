import { describe, expect, it } from 'vitest';
import { createImage } from './image.js';

describe('createImage', () => {
  it('allocates a filled HWC buffer and rejects bad sizes', () => {
    const im = createImage(4, 2, 3, 114);
    expect(im.data.length).toBe(24);
    expect(im.data.every((v) => v === 114)).toBe(true);
    expect(() => createImage(0, 2)).toThrow(/positive integers/);
  });
});
