/**
 * The few NumPy routines the original's metrics rely on, reproduced operation for operation so that results agree
 * bit for bit with NumPy 1.x (checked against NumPy 1.24 by the golden fixtures):
 *
 * - {@link argsortNumpy}: `np.argsort(a)` (default `kind='quicksort'`, the generic introsort `aquicksort_`, which is
 *   NOT stable — the order of tied values is whatever that algorithm produces, and AP depends on it).
 * - {@link interpNumpy}: `np.interp` (last index with xp ≤ x, `xp == x` shortcut, slope·(x − xp) + fp).
 * - {@link pairwiseSum}: `np.add.reduce` of a contiguous float64 array (8-way unrolled pairwise summation).
 * - {@link linspaceNumpy}: `np.linspace(start, stop, num)` (k·step + start, last value = stop).
 */

const SMALL_QUICKSORT = 15;

/** NumPy's float `less`: NaNs sort to the end. */
function lt(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

function msb(n: number): number {
  let depth = 0;
  while (n > 1) {
    n = Math.floor(n / 2);
    depth++;
  }
  return depth;
}

/**
 * `np.argsort(v)` with NumPy's default (unstable) quicksort, as `npysort/quicksort.cpp aquicksort_` (median of three,
 * insertion sort below 16 elements, heapsort past depth 2·log2(n)). Ties come out in exactly NumPy's order.
 * NumPy ≥ 1.25 dispatches some dtypes to SIMD sorts on AVX-512 machines; the original (2021) and NumPy 1.24 for
 * float32/float64 argsort use this generic path. Sorts the first `num` values.
 */
export function argsortNumpy(v: ArrayLike<number>, num: number = v.length): Int32Array {
  const tosort = new Int32Array(num);
  for (let i = 0; i < num; i++) tosort[i] = i;
  if (num < 2) return tosort;
  const stack = new Int32Array(256);
  const depthStack = new Int32Array(128);
  let sp = 0;
  let dp = 0;
  let pl = 0;
  let pr = num - 1;
  let cdepth = msb(num) * 2;
  let tmp: number;
  for (;;) {
    let popped = false;
    if (cdepth < 0) {
      aheapsort(v, tosort, pl, pr - pl + 1);
      popped = true;
    }
    if (!popped) {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (lt(v[tosort[pm]!]!, v[tosort[pl]!]!)) { tmp = tosort[pm]!; tosort[pm] = tosort[pl]!; tosort[pl] = tmp; }
        if (lt(v[tosort[pr]!]!, v[tosort[pm]!]!)) { tmp = tosort[pr]!; tosort[pr] = tosort[pm]!; tosort[pm] = tmp; }
        if (lt(v[tosort[pm]!]!, v[tosort[pl]!]!)) { tmp = tosort[pm]!; tosort[pm] = tosort[pl]!; tosort[pl] = tmp; }
        const vp = v[tosort[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        tmp = tosort[pm]!; tosort[pm] = tosort[pj]!; tosort[pj] = tmp;
        for (;;) {
          do ++pi; while (lt(v[tosort[pi]!]!, vp));
          do --pj; while (lt(vp, v[tosort[pj]!]!));
          if (pi >= pj) break;
          tmp = tosort[pi]!; tosort[pi] = tosort[pj]!; tosort[pj] = tmp;
        }
        const pk = pr - 1;
        tmp = tosort[pi]!; tosort[pi] = tosort[pk]!; tosort[pk] = tmp;
        // push the larger partition on the stack
        if (pi - pl < pr - pi) {
          stack[sp++] = pi + 1;
          stack[sp++] = pr;
          pr = pi - 1;
        } else {
          stack[sp++] = pl;
          stack[sp++] = pi - 1;
          pl = pi + 1;
        }
        depthStack[dp++] = --cdepth;
      }
      // insertion sort
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = tosort[pi]!;
        const vv = v[vi]!;
        let pj = pi;
        let pk = pi - 1;
        while (pj > pl && lt(vv, v[tosort[pk]!]!)) tosort[pj--] = tosort[pk--]!;
        tosort[pj] = vi;
      }
    }
    if (sp === 0) break;
    pr = stack[--sp]!;
    pl = stack[--sp]!;
    cdepth = depthStack[--dp]!;
  }
  return tosort;
}

/** NumPy's `aheapsort_` on `tosort[start .. start+n)` (1-based heap indexing). */
function aheapsort(v: ArrayLike<number>, tosort: Int32Array, start: number, n: number): void {
  const a = (k: number) => start + k - 1; // a[k] ≡ tosort[start + k − 1]
  let i: number, j: number, tmp: number;
  for (let l = n >> 1; l > 0; --l) {
    tmp = tosort[a(l)]!;
    for (i = l, j = l << 1; j <= n; ) {
      if (j < n && lt(v[tosort[a(j)]!]!, v[tosort[a(j + 1)]!]!)) j += 1;
      if (lt(v[tmp]!, v[tosort[a(j)]!]!)) {
        tosort[a(i)] = tosort[a(j)]!;
        i = j;
        j += j;
      } else break;
    }
    tosort[a(i)] = tmp;
  }
  for (; n > 1; ) {
    tmp = tosort[a(n)]!;
    tosort[a(n)] = tosort[a(1)]!;
    n -= 1;
    for (i = 1, j = 2; j <= n; ) {
      if (j < n && lt(v[tosort[a(j)]!]!, v[tosort[a(j + 1)]!]!)) j++;
      if (lt(v[tmp]!, v[tosort[a(j)]!]!)) {
        tosort[a(i)] = tosort[a(j)]!;
        i = j;
        j += j;
      } else break;
    }
    tosort[a(i)] = tmp;
  }
}

/**
 * `np.unique(a, return_index=True)[1]` for small float arrays: the index of the FIRST occurrence of each distinct
 * value, ordered by value (NumPy uses a stable mergesort when `return_index` is set).
 */
export function uniqueFirstIndex(a: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: a.length }, (_, i) => i);
  idx.sort((x, y) => (a[x]! < a[y]! ? -1 : a[x]! > a[y]! ? 1 : x - y));
  const out: number[] = [];
  for (let k = 0; k < idx.length; k++) if (k === 0 || a[idx[k]!] !== a[idx[k - 1]!]) out.push(idx[k]!);
  return Int32Array.from(out);
}

/**
 * `np.interp(x, xp, fp, left, right)` for increasing (possibly repeated) `xp`: x < xp[0] → left (default fp[0]);
 * x > xp[last] → right (default fp[last]); otherwise j = the last index with xp[j] ≤ x, fp[j] when j is the last
 * index or xp[j] == x, else slope·(x − xp[j]) + fp[j] with slope = (fp[j+1] − fp[j]) / (xp[j+1] − xp[j]).
 * `xpLength` lets callers pass a longer buffer.
 */
export function interpNumpy(
  x: ArrayLike<number>,
  xp: ArrayLike<number>,
  fp: ArrayLike<number>,
  left?: number,
  right?: number,
  out: Float64Array = new Float64Array(x.length),
  xpLength: number = xp.length,
): Float64Array {
  const n = xpLength;
  const lval = left ?? fp[0]!;
  const rval = right ?? fp[n - 1]!;
  const first = xp[0]!;
  const last = xp[n - 1]!;
  for (let i = 0; i < x.length; i++) {
    const xv = x[i]!;
    if (xv !== xv) {
      out[i] = xv;
      continue;
    }
    if (xv > last) {
      out[i] = rval;
      continue;
    }
    if (xv < first) {
      out[i] = lval;
      continue;
    }
    // last j with xp[j] <= xv (bisection; unique for any search order since xp is non-decreasing)
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (xv >= xp[mid]!) lo = mid + 1;
      else hi = mid;
    }
    const j = lo - 1;
    if (j === n - 1 || xp[j] === xv) {
      out[i] = fp[j]!;
      continue;
    }
    const slope = (fp[j + 1]! - fp[j]!) / (xp[j + 1]! - xp[j]!);
    let r = slope * (xv - xp[j]!) + fp[j]!;
    if (r !== r) {
      r = slope * (xv - xp[j + 1]!) + fp[j + 1]!;
      if (r !== r && fp[j] === fp[j + 1]) r = fp[j]!;
    }
    out[i] = r;
  }
  return out;
}

/** `np.add.reduce` of `a[start .. start+n)` (float64): NumPy's pairwise summation, 8 accumulators, blocks of 128. */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[start]!, r1 = a[start + 1]!, r2 = a[start + 2]!, r3 = a[start + 3]!;
    let r4 = a[start + 4]!, r5 = a[start + 5]!, r6 = a[start + 6]!, r7 = a[start + 7]!;
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const b = start + i;
      r0 += a[b]!; r1 += a[b + 1]!; r2 += a[b + 2]!; r3 += a[b + 3]!;
      r4 += a[b + 4]!; r5 += a[b + 5]!; r6 += a[b + 6]!; r7 += a[b + 7]!;
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** `np.mean` of a contiguous float64 vector: pairwise sum / n. */
export function meanNumpy(a: ArrayLike<number>): number {
  return pairwiseSum(a) / a.length;
}

/** `np.linspace(start, stop, num)` (endpoint included): start + k·((stop − start)/(num − 1)), last = stop. */
export function linspaceNumpy(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let k = 0; k < num; k++) out[k] = k * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}
