import { classIndex } from '@vigil/core';

const CIGAR = classIndex('cigar');
const PHONE = classIndex('phone');
const EYE_CLOSED = classIndex('eye_closed');
const MOUTH_CLOSED = classIndex('mouth_closed');
const MOUTH_OPENED = classIndex('mouth_opened');

/**
 * The original's class-rebalancing "diet" subset (train.py data_prepare, SPEC §2.3). For each image in order, the
 * first matching rule decides: cigar or phone → keep; eye_closed and mouth_closed → keep; eye_closed and
 * mouth_opened → keep; mouth_opened → keep every 3rd image that reaches this rule (the counter counts only those
 * images); anything else → drop. Returns the positions (into `imagesClasses`) of the kept images, in order.
 */
export function selectDiet(imagesClasses: readonly ArrayLike<number>[]): number[] {
  const kept: number[] = [];
  let mouthOpenedSeen = 0;
  imagesClasses.forEach((classes, i) => {
    let cigarOrPhone = false;
    let eyeClosed = false;
    let mouthClosed = false;
    let mouthOpened = false;
    for (let k = 0; k < classes.length; k++) {
      const c = classes[k];
      if (c === CIGAR || c === PHONE) cigarOrPhone = true;
      else if (c === EYE_CLOSED) eyeClosed = true;
      else if (c === MOUTH_CLOSED) mouthClosed = true;
      else if (c === MOUTH_OPENED) mouthOpened = true;
    }
    if (cigarOrPhone || (eyeClosed && (mouthClosed || mouthOpened))) kept.push(i);
    else if (mouthOpened) {
      mouthOpenedSeen++;
      if (mouthOpenedSeen % 3 === 0) kept.push(i);
    }
  });
  return kept;
}
