import { describe, expect, it } from 'vitest';
import { classIndex } from '@vigil/core';
import { selectDiet } from './diet.js';

const c = (...names: string[]) => names.map((n) => classIndex(n));

describe('selectDiet', () => {
  it('applies the rules in order with the mouth_opened counter over images reaching that rule only', () => {
    const images = [
      c('face', 'eye_opened', 'eye_opened', 'mouth_opened'), // 0: mouth_opened #1 → drop
      c('face', 'phone', 'eye_opened'), // 1: phone → keep
      c('face', 'eye_closed', 'mouth_closed'), // 2: keep
      c('face', 'mouth_opened', 'eye_closed'), // 3: eye_closed + mouth_opened → keep (counter untouched)
      c('face', 'mouth_opened'), // 4: mouth_opened #2 → drop
      c('face', 'eye_closed'), // 5: eye_closed alone → drop
      c('face', 'mouth_closed', 'eye_opened'), // 6: drop
      c('cigar', 'mouth_opened'), // 7: cigar first → keep (counter untouched)
      c('mouth_opened', 'face'), // 8: mouth_opened #3 → keep
      c(), // 9: empty → drop
      c('mouth_opened'), // 10: #4 → drop
      c('mouth_opened'), // 11: #5 → drop
      c('mouth_opened', 'eye_opened'), // 12: #6 → keep
    ];
    expect(selectDiet(images)).toEqual([1, 2, 3, 7, 8, 12]);
  });

  it('handles empty input', () => {
    expect(selectDiet([])).toEqual([]);
  });
});
