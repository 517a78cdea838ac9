import { describe, expect, it } from 'vitest';
import { formatFixedPy, yoloLabelText } from './yolo-format.js';

describe('formatFixedPy', () => {
  it("matches Python's f'{x:.5f}' including exact ties (fixtures/make-yolo-label-golden.py)", () => {
    const golden: [number, string][] = [
      [0.015625, '0.01562'],
      [0.046875, '0.04688'],
      [0.5, '0.50000'],
      [1 / 3, '0.33333'],
      [0.1234549999, '0.12345'],
      [2 / 3, '0.66667'],
      [0.000005, '0.00001'],
      [0.999995, '0.99999'],
      [0.984375, '0.98438'],
      [0.0078125, '0.00781'],
      [1, '1.00000'],
      [0, '0.00000'],
    ];
    for (const [x, s] of golden) expect(formatFixedPy(x)).toBe(s);
  });
});

describe('yoloLabelText', () => {
  it('writes the original data_prepare lines', () => {
    const cases: [number, number, number[], string][] = [
      [640, 480, [10, 0, 20, 30], '0.02344 0.03125 0.01562 0.06250'],
      [640, 480, [100.5, 33.3, 411.7, 479], '0.40016 0.53365 0.48625 0.92854'],
      [1920, 1080, [0, 0, 1920, 1080], '0.50000 0.50000 1.00000 1.00000'],
      [33, 17, [1, 2, 3, 4], '0.06061 0.17647 0.06061 0.11765'],
      [640, 480, [5, 7.5, 15, 22.5], '0.01562 0.03125 0.01562 0.03125'],
    ];
    for (const [w, h, box, line] of cases) expect(yoloLabelText([4], box, w, h)).toBe(`4 ${line}\n`);
    expect(yoloLabelText([0, 6], [10, 0, 20, 30, 5, 7.5, 15, 22.5], 640, 480)).toBe(
      '0 0.02344 0.03125 0.01562 0.06250\n6 0.01562 0.03125 0.01562 0.03125\n',
    );
  });

  it('writes nothing for an image without boxes', () => {
    expect(yoloLabelText([], [], 640, 480)).toBe('');
  });
});
