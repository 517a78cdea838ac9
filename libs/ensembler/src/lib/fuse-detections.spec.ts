import { describe, expect, it } from 'vitest';
import { type FusionMethod, fuseDetections } from './fuse-detections.js';
import { nonMaximumWeighted } from './non-maximum-weighted.js';
import { softNms } from './soft-nms.js';
import { dets } from '../testing/detections.js';
import { weightedBoxesFusion } from './weighted-boxes-fusion.js';

describe('fuseDetections', () => {
  const models = [dets([[0, 0, 0.5, 0.5], [0.6, 0.6, 0.9, 0.9]], [0.9, 0.3]), dets([[0, 0, 0.5, 0.4]], [0.8])];
  it('dispatches to the named method with its options', () => {
    expect(fuseDetections('wbf', models, { confType: 'max' })).toEqual(weightedBoxesFusion(models, { confType: 'max' }));
    expect(fuseDetections('soft-nms', models, { method: 'linear' })).toEqual(softNms(models, { method: 'linear' }));
    expect(fuseDetections('nmw', models, { iouThr: 0.7 })).toEqual(nonMaximumWeighted(models, { iouThr: 0.7 }));
    expect(fuseDetections('wbf', models)).not.toEqual(fuseDetections('nmw', models));
  });
  it('rejects unknown methods', () => {
    expect(() => fuseDetections('mean' as FusionMethod, models)).toThrow(/unknown ensemble method mean; use one of concat, wbf, soft-nms, nmw/);
  });
});
