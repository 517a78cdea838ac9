import type { Detections } from '@vigil/core';
import type { MatchStats } from './ap-per-class.js';
import { ConfusionMatrix, type ConfusionMatrixOptions } from './confusion-matrix.js';
import { matchImage } from './match.js';
import { computeMetrics, type Metrics } from './metrics.js';
import type { GroundTruth, MatchingMode } from './types.js';

/** Options of {@link DetectionEvaluator}. */
export interface EvaluatorOptions {
  /** Class names; index = class id. */
  names: readonly string[];
  /** Matching algorithm (default `seed`: the original's test loop). */
  matching?: MatchingMode;
  /** Also fill a confusion matrix (original: conf 0.25, IoU 0.45); `false` to skip. Default on. */
  confusion?: ConfusionMatrixOptions | false;
}

/** Everything an evaluation produces. */
export interface EvaluationResult {
  metrics: Metrics;
  confusion?: ConfusionMatrix;
}

function checkClass(c: number, nc: number, what: string): void {
  if (!(c >= 0 && c < nc)) throw new RangeError(`${what} class ${c} is outside 0..${nc - 1} (the evaluator has ${nc} class names)`);
}

/** Growable typed column. */
class Column<T extends Uint8Array | Float32Array | Int32Array> {
  private buf: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.buf = make(1024);
  }
  push(values: ArrayLike<number>): void {
    if (this.length + values.length > this.buf.length) {
      const next = this.make(Math.max(this.buf.length * 2, this.length + values.length));
      next.set(this.buf.subarray(0, this.length) as ArrayLike<number>);
      this.buf = next;
    }
    this.buf.set(values, this.length);
    this.length += values.length;
  }
  view(): T {
    return this.buf.subarray(0, this.length) as T;
  }
}

/**
 * Accumulates images like the original's `test` loop and computes the metrics at the end. Per image: predictions
 * (in NMS order, descending confidence) are matched to its ground truth; images without predictions contribute only
 * their labels; the confusion matrix sees images with both labels and predictions (as the original).
 */
export class DetectionEvaluator {
  private readonly correct = new Column((n) => new Uint8Array(n));
  private readonly conf = new Column((n) => new Float32Array(n));
  private readonly predCls = new Column((n) => new Int32Array(n));
  private readonly targetCls = new Column((n) => new Int32Array(n));
  private seen = 0;
  readonly confusion?: ConfusionMatrix;
  private readonly matching: MatchingMode;

  constructor(private readonly options: EvaluatorOptions) {
    this.matching = options.matching ?? 'seed';
    if (options.confusion !== false) this.confusion = new ConfusionMatrix(options.names.length, options.confusion || {});
  }

  /** Number of images added. */
  get images(): number {
    return this.seen;
  }

  /** Adds one image: its predictions (xyxy pixels, NMS order) and ground truth (xyxy pixels, same space). */
  addImage(pred: Detections, gt: GroundTruth): void {
    const nc = this.options.names.length;
    for (let i = 0; i < gt.count; i++) checkClass(gt.classes[i]!, nc, 'ground-truth');
    for (let i = 0; i < pred.count; i++) checkClass(pred.classes[i]!, nc, 'predicted');
    this.seen++;
    this.targetCls.push(gt.classes.subarray(0, gt.count));
    if (pred.count === 0) return;
    if (gt.count && this.confusion) this.confusion.processBatch(pred, gt);
    this.correct.push(matchImage(pred, gt, this.matching));
    this.conf.push(pred.scores.subarray(0, pred.count));
    this.predCls.push(pred.classes.subarray(0, pred.count));
  }

  /** The accumulated statistics (views, valid until the next {@link addImage}). */
  stats(): MatchStats {
    return { correct: this.correct.view(), conf: this.conf.view(), predCls: this.predCls.view(), targetCls: this.targetCls.view() };
  }

  /** Metrics over every image added so far. */
  result(): EvaluationResult {
    const metrics = computeMetrics(this.stats(), this.options.names, this.seen);
    return this.confusion ? { metrics, confusion: this.confusion } : { metrics };
  }
}

