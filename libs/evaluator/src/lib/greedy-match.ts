import { argsortNumpy } from './numpy-compat.js';

/**
 * Candidate (label, detection, IoU) pairs and their reduction to one-to-one matches as YOLOv5 does it in
 * `ConfusionMatrix.process_batch` and val.py `process_batch`:
 *
 *     matches = matches[matches[:, 2].argsort()[::-1]]                  # by IoU, descending (NumPy's unstable sort)
 *     matches = matches[np.unique(matches[:, 1], return_index=True)[1]] # first row of each detection, by detection
 *     (matches = matches[matches[:, 2].argsort()[::-1]])                # re-sort: ConfusionMatrix only
 *     matches = matches[np.unique(matches[:, 0], return_index=True)[1]] # first row of each label, by label
 *
 * Pairs are collected in torch.where's row-major order (label-major). Typed buffers, reused between calls.
 */
export class GreedyMatcher {
  lab = new Int32Array(64);
  det = new Int32Array(64);
  iou = new Float32Array(64);
  count = 0;
  private tl = new Int32Array(64);
  private td = new Int32Array(64);
  private tv = new Float32Array(64);
  private first = new Int32Array(64);

  /** Starts a new image. */
  reset(): void {
    this.count = 0;
  }

  add(label: number, detection: number, iou: number): void {
    if (this.count === this.lab.length) {
      const grow = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.lab = grow(this.lab, (n) => new Int32Array(n));
      this.det = grow(this.det, (n) => new Int32Array(n));
      this.iou = grow(this.iou, (n) => new Float32Array(n));
      this.tl = new Int32Array(this.lab.length);
      this.td = new Int32Array(this.lab.length);
      this.tv = new Float32Array(this.lab.length);
    }
    this.lab[this.count] = label;
    this.det[this.count] = detection;
    this.iou[this.count] = iou;
    this.count++;
  }

  /** Reduces the pairs to matches (see the class comment); `nLabels`/`nDetections` bound the indices. */
  reduce(nLabels: number, nDetections: number, resortBeforeLabels: boolean): void {
    if (this.count <= 1) return;
    this.sortByIouDescending();
    this.uniqueFirst(this.det, nDetections);
    if (resortBeforeLabels) this.sortByIouDescending();
    this.uniqueFirst(this.lab, nLabels);
  }

  private sortByIouDescending(): void {
    const n = this.count;
    const order = argsortNumpy(this.iou, n);
    for (let k = 0; k < n; k++) {
      const o = order[n - 1 - k]!;
      this.tl[k] = this.lab[o]!;
      this.td[k] = this.det[o]!;
      this.tv[k] = this.iou[o]!;
    }
    this.swap();
  }

  /** `np.unique(key, return_index=True)[1]` applied to the rows: first row of each key value, ordered by value. */
  private uniqueFirst(key: Int32Array, range: number): void {
    if (this.first.length < range) this.first = new Int32Array(range * 2);
    const first = this.first;
    first.fill(-1, 0, range);
    for (let k = 0; k < this.count; k++) if (first[key[k]!]! < 0) first[key[k]!] = k;
    let m = 0;
    for (let v = 0; v < range; v++) {
      const k = first[v]!;
      if (k < 0) continue;
      this.tl[m] = this.lab[k]!;
      this.td[m] = this.det[k]!;
      this.tv[m] = this.iou[k]!;
      m++;
    }
    this.count = m;
    this.swap();
  }

  private swap(): void {
    [this.lab, this.tl] = [this.tl, this.lab];
    [this.det, this.td] = [this.td, this.det];
    [this.iou, this.tv] = [this.tv, this.iou];
  }
}
