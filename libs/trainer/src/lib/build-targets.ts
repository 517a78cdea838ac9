import { VigilUserError } from '@vigil/core';

const f32 = Math.fround;

/** Targets matched to one detection level (the original's `tcls, tbox, indices, anch` for level i). */
export interface LevelTargets {
  /** number of (target, anchor, cell) matches */
  n: number;
  /** image index in the batch, `[n]` */
  b: Int32Array;
  /** anchor index, `[n]` */
  a: Int32Array;
  /** grid row (clamped to [0, ny−1]), `[n]` */
  gj: Int32Array;
  /** grid column (clamped to [0, nx−1]), `[n]` */
  gi: Int32Array;
  /** class index, `[n]` */
  cls: Int32Array;
  /** target box in grid units relative to the cell: x − gi, y − gj, w, h; `[n, 4]` float32 */
  tbox: Float32Array;
  /** matched anchor w, h in grid units, `[n, 2]` float32 */
  anch: Float32Array;
  /**
   * Row of each match in the level's prediction map flattened to `[B·ny·nx·na, no]` (our NHWC layout
   * `[B, ny, nx, na, no]`): ((b·ny + gj)·nx + gi)·na + a.
   */
  flat: Int32Array;
}

export interface BuildTargetsOptions {
  /** anchors in grid units (pixels / stride), `[nl][na][2]` */
  anchors: readonly (readonly (readonly number[])[])[];
  /** per level `[ny, nx]` of the prediction map */
  gridShapes: readonly (readonly [number, number])[];
  /** anchor-multiple threshold (hyp `anchor_t`) */
  anchorT: number;
  /** batch size, to validate image indices (optional) */
  batch?: number;
  /** number of classes, to validate class indices (optional) */
  nc?: number;
}

/** Neighbour-cell offsets of the original (g = 0.5): centre, then j, k, l, m. */
const OFF_X = [0, 0.5, 0, -0.5, 0];
const OFF_Y = [0, 0, 0.5, 0, -0.5];

/**
 * The original's `ComputeLoss.build_targets` (utils/loss.py at 10d56d784) on the CPU, in float32 arithmetic
 * (every step rounded with Math.fround) so that the matches and the cell decisions at borders are the same as
 * PyTorch's. It depends only on the targets and anchors, not on the predictions, which lets the loss gather the
 * matched predictions with `tf.gather` (that has a gradient) instead of gatherNd / strided slices.
 *
 * Per level: targets scaled to the grid; (target, anchor) pairs kept when max(r, 1/r) < anchor_t for both w and h
 * ratios; each kept pair also assigned to up to two neighbouring cells (x−1 / y−1 when the fractional part is < 0.5
 * and the coordinate > 1, x+1 / y+1 mirrored from the far side); cell index = trunc(xy − offset), clamped to the grid.
 * The original clamps the index in place through a view (`gj.clamp_`), so the clamped index is also the one the box
 * target is taken relative to — reproduced here.
 *
 * Order of the matches: offset-major (centre cells first), then anchor, then target — as the original's masks.
 *
 * @param targets `[nt, 6]` float32 row-major: image index, class, cx, cy, w, h (normalised 0–1)
 */
export function buildTargets(targets: Float32Array, opts: BuildTargetsOptions): LevelTargets[] {
  if (targets.length % 6 !== 0) throw new RangeError(`targets must be [n, 6] (image, class, cx, cy, w, h); got ${targets.length} values`);
  const nt = targets.length / 6;
  const nl = opts.gridShapes.length;
  if (opts.anchors.length !== nl) throw new RangeError(`anchors have ${opts.anchors.length} levels but predictions have ${nl}`);
  validateTargets(targets, nt, opts.batch, opts.nc);
  const thr = f32(opts.anchorT);
  const out: LevelTargets[] = [];
  for (let i = 0; i < nl; i++) {
    const [ny, nx] = opts.gridShapes[i]!;
    const anchors = opts.anchors[i]!;
    const na = anchors.length;
    const aw = anchors.map((a) => f32(a[0]!));
    const ah = anchors.map((a) => f32(a[1]!));

    // Matches (anchor-major, target-minor), then their grid xy and the five offset masks.
    const mA: number[] = [];
    const mT: number[] = [];
    for (let a = 0; a < na; a++) {
      for (let t = 0; t < nt; t++) {
        const w = f32(targets[t * 6 + 4]! * nx);
        const h = f32(targets[t * 6 + 5]! * ny);
        const rw = f32(w / aw[a]!);
        const rh = f32(h / ah[a]!);
        const m = Math.max(rw, f32(1 / rw), rh, f32(1 / rh));
        if (m < thr) {
          mA.push(a);
          mT.push(t);
        }
      }
    }
    const nm = mA.length;
    const sel: number[] = []; // (offset index, match index) pairs in the original's order
    const gxs = new Float32Array(nm);
    const gys = new Float32Array(nm);
    const masks: boolean[][] = [[], [], [], [], []];
    for (let k = 0; k < nm; k++) {
      const t = mT[k]!;
      const gx = f32(targets[t * 6 + 2]! * nx);
      const gy = f32(targets[t * 6 + 3]! * ny);
      const gxi = f32(nx - gx);
      const gyi = f32(ny - gy);
      gxs[k] = gx;
      gys[k] = gy;
      masks[0]![k] = true;
      masks[1]![k] = gx - Math.floor(gx) < 0.5 && gx > 1;
      masks[2]![k] = gy - Math.floor(gy) < 0.5 && gy > 1;
      masks[3]![k] = gxi - Math.floor(gxi) < 0.5 && gxi > 1;
      masks[4]![k] = gyi - Math.floor(gyi) < 0.5 && gyi > 1;
    }
    for (let o = 0; o < 5; o++) for (let k = 0; k < nm; k++) if (masks[o]![k]) sel.push(o, k);

    const n = sel.length / 2;
    const lt: LevelTargets = {
      n,
      b: new Int32Array(n),
      a: new Int32Array(n),
      gj: new Int32Array(n),
      gi: new Int32Array(n),
      cls: new Int32Array(n),
      tbox: new Float32Array(n * 4),
      anch: new Float32Array(n * 2),
      flat: new Int32Array(n),
    };
    for (let s = 0; s < n; s++) {
      const o = sel[2 * s]!;
      const k = sel[2 * s + 1]!;
      const t = mT[k]!;
      const a = mA[k]!;
      const gx = gxs[k]!;
      const gy = gys[k]!;
      const gi = clampInt(Math.trunc(f32(gx - OFF_X[o]!)), 0, nx - 1);
      const gj = clampInt(Math.trunc(f32(gy - OFF_Y[o]!)), 0, ny - 1);
      const b = Math.trunc(targets[t * 6]!);
      lt.b[s] = b;
      lt.a[s] = a;
      lt.gi[s] = gi;
      lt.gj[s] = gj;
      lt.cls[s] = Math.trunc(targets[t * 6 + 1]!);
      lt.tbox[s * 4] = f32(gx - gi);
      lt.tbox[s * 4 + 1] = f32(gy - gj);
      lt.tbox[s * 4 + 2] = f32(targets[t * 6 + 4]! * nx);
      lt.tbox[s * 4 + 3] = f32(targets[t * 6 + 5]! * ny);
      lt.anch[s * 2] = aw[a]!;
      lt.anch[s * 2 + 1] = ah[a]!;
      lt.flat[s] = ((b * ny + gj) * nx + gi) * na + a;
    }
    out.push(lt);
  }
  return out;
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function validateTargets(targets: Float32Array, nt: number, batch?: number, nc?: number): void {
  for (let t = 0; t < nt; t++) {
    const row = targets.subarray(t * 6, t * 6 + 6);
    if (!row.every(Number.isFinite)) throw new VigilUserError(`target row ${t} is not finite: [${Array.from(row).join(', ')}]; check the labels of that batch`);
    const b = Math.trunc(row[0]!);
    const c = Math.trunc(row[1]!);
    if (b < 0 || (batch !== undefined && b >= batch)) throw new VigilUserError(`target row ${t} has image index ${row[0]} outside the batch of ${batch}`);
    if (c < 0 || (nc !== undefined && c >= nc)) throw new VigilUserError(`target row ${t} has class ${row[1]} but the model has nc=${nc} classes; check the dataset labels against the model's nc`);
  }
}
