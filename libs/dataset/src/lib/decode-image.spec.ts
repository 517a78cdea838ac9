import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode-image.js';
import { encodeBmp } from './bmp.js';
import { loadImage } from './load-image.js';

const jpg = fileURLToPath(new URL('../../../../data-samples/getty-pets/images/val/val_0000.jpg', import.meta.url));

describe('decodeImage', () => {
  it('decodes a path and the same bytes to the pixels loadImage reads at full size', async () => {
    const fromPath = await decodeImage(jpg);
    const fromBytes = await decodeImage(readFileSync(jpg), 'val_0000.jpg');
    expect(fromPath.channels).toBe(3);
    expect(fromBytes).toEqual(fromPath);
    const full = await loadImage(jpg, Math.max(fromPath.width, fromPath.height));
    expect(full.image).toEqual(fromPath);
  });
  it('reads BMP bytes and names bad bytes in the error', async () => {
    const img = { data: Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 17) % 256), width: 4, height: 3, channels: 3 as const };
    expect(await decodeImage(encodeBmp(img.data, img.width, img.height, 3))).toEqual(img);
    await expect(decodeImage(Uint8Array.from([1, 2, 3, 4]), 'junk.bin')).rejects.toThrow(/^cannot read image junk\.bin: /);
  });
});
