import { share } from './threads';

// Order statistics of every column of X (n × d): the coordinate-wise median, trimmed mean and the mean of the
// values closest to the median, as the robust federated aggregators need them. Eight columns at a time are
// gathered into a column-major slot array (slot i = the eight values of row i, 32 bytes) and sorted by a
// sorting network (the caller's list of comparators, as pairs of slot byte offsets): every comparator is
// the same two min/max instructions on all eight lanes, with no branch to mispredict, where a quickselect
// per column mispredicts about half of its comparisons.

// Reduction kinds (mirrored in src/engine/kernels/wasm-kernels.ts).
const MEDIAN: i32 = 0;
const TRIMMED_MEAN: i32 = 1;

const LANES: i32 = 8;
const SLOT: i32 = 32;

/** Bytes of scratch one thread needs for n rows: n slots plus one for the result. */
export function columnScratchBytes(n: i32): i32 {
  return (n + 1) * SLOT;
}

/**
 * out[j] for this thread's groups of eight columns: the median (`kind` 0; the mean of the two middle values
 * for even n), the mean without the `param` smallest and `param` largest values (1), or the mean of the
 * `param` values closest to the median (2; Bulyan's aggregation step). Values must be finite.
 */
export function columnOrderStatistics(
  x: usize,
  n: i32,
  d: i32,
  network: usize,
  comparators: i32,
  kind: i32,
  param: i32,
  out: usize,
  scratch: usize,
  tid: i32,
  threads: i32,
): void {
  const slots = scratch + <usize>tid * <usize>columnScratchBytes(n);
  const result = slots + <usize>(n * SLOT);
  const groups = (d + LANES - 1) / LANES;
  const g1 = share(groups, tid + 1, threads);
  for (let g = share(groups, tid, threads); g < g1; g++) {
    const c0 = g * LANES;
    const width = min(LANES, d - c0);
    gather(x, n, d, c0, width, slots);
    sortSlots(slots, network, comparators);
    if (kind === MEDIAN) median(slots, n, result);
    else if (kind === TRIMMED_MEAN) trimmedMean(slots, n, param, result);
    else closestToMedianMean(slots, n, param, result);
    const dst = out + ((<usize>c0) << 2);
    if (width === LANES) {
      v128.store(dst, v128.load(result));
      v128.store(dst, v128.load(result, 16), 16);
    } else {
      for (let l = 0; l < width; l++)
        store<f32>(dst + ((<usize>l) << 2), load<f32>(result + ((<usize>l) << 2)));
    }
  }
}

/** Slot i ← x[i][c0 .. c0 + width); lanes past `width` get 0 (sorted along, never read back). */
function gather(x: usize, n: i32, d: i32, c0: i32, width: i32, slots: usize): void {
  for (let i = 0; i < n; i++) {
    const src = x + ((<usize>i * <usize>d + <usize>c0) << 2);
    const dst = slots + <usize>(i * SLOT);
    if (width === LANES) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
    } else {
      for (let l = 0; l < LANES; l++)
        store<f32>(dst + ((<usize>l) << 2), l < width ? load<f32>(src + ((<usize>l) << 2)) : 0);
    }
  }
}

/** Applies the comparators in order: the lower slot takes the lane-wise minimum, the upper the maximum. */
function sortSlots(slots: usize, network: usize, comparators: i32): void {
  for (let t = 0; t < comparators; t++) {
    const pair = network + ((<usize>t) << 3);
    const lo = slots + <usize>load<i32>(pair);
    const hi = slots + <usize>load<i32>(pair, 4);
    const a0 = v128.load(lo);
    const a1 = v128.load(lo, 16);
    const b0 = v128.load(hi);
    const b1 = v128.load(hi, 16);
    // pmin/pmax are the plain compare-and-select (one instruction each on x64); exact for finite values.
    v128.store(lo, f32x4.pmin(a0, b0));
    v128.store(lo, f32x4.pmin(a1, b1), 16);
    v128.store(hi, f32x4.pmax(a0, b0));
    v128.store(hi, f32x4.pmax(a1, b1), 16);
  }
}

function slot(slots: usize, i: i32): usize {
  return slots + <usize>(i * SLOT);
}

function median(slots: usize, n: i32, result: usize): void {
  const upper = slot(slots, n >> 1);
  if ((n & 1) === 1) {
    v128.store(result, v128.load(upper));
    v128.store(result, v128.load(upper, 16), 16);
    return;
  }
  const lower = slot(slots, (n >> 1) - 1);
  const half = f32x4.splat(0.5);
  v128.store(result, f32x4.mul(f32x4.add(v128.load(lower), v128.load(upper)), half));
  v128.store(result, f32x4.mul(f32x4.add(v128.load(lower, 16), v128.load(upper, 16)), half), 16);
}

function trimmedMean(slots: usize, n: i32, f: i32, result: usize): void {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  for (let i = f; i < n - f; i++) {
    const at = slot(slots, i);
    s0 = f32x4.add(s0, v128.load(at));
    s1 = f32x4.add(s1, v128.load(at, 16));
  }
  const scale = f32x4.splat(<f32>1 / <f32>(n - 2 * f));
  v128.store(result, f32x4.mul(s0, scale));
  v128.store(result, f32x4.mul(s1, scale), 16);
}

/**
 * Per lane: the beta values nearest the median are contiguous in sorted order; grow a window outwards from
 * the middle, each step taking the nearer neighbour (the lower one on a tie).
 */
function closestToMedianMean(slots: usize, n: i32, beta: i32, result: usize): void {
  const half = (n + 1) >> 1;
  for (let l = 0; l < LANES; l++) {
    const lane = slots + ((<usize>l) << 2);
    const med =
      (n & 1) === 1 ? laneValue(lane, half - 1) : (laneValue(lane, half - 1) + laneValue(lane, half)) / 2;
    let left = half - 1;
    let right = half;
    let sum: f64 = 0;
    for (let taken = 0; taken < beta; taken++) {
      if (right >= n || (left >= 0 && med - laneValue(lane, left) <= laneValue(lane, right) - med))
        sum += laneValue(lane, left--);
      else sum += laneValue(lane, right++);
    }
    store<f32>(result + ((<usize>l) << 2), <f32>(sum / beta));
  }
}

/** Row i's value in the lane at `lane` (a slot address plus the lane's byte offset), widened to float64. */
function laneValue(lane: usize, i: i32): f64 {
  return <f64>load<f32>(lane + <usize>(i * SLOT));
}

/** out[i] = |x_i − v|² in float64 for this thread's rows of x (rows × d). */
export function rowSquaredDistancesTo(
  x: usize,
  rows: i32,
  d: i32,
  v: usize,
  out: usize,
  tid: i32,
  threads: i32,
): void {
  const i1 = share(rows, tid + 1, threads);
  for (let i = share(rows, tid, threads); i < i1; i++) {
    const row = x + ((<usize>i * <usize>d) << 2);
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const at = (<usize>j) << 2;
      const diff = f32x4.sub(v128.load(row + at), v128.load(v + at));
      const lo = f64x2.promote_low_f32x4(diff);
      const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(diff, diff, 2, 3, 0, 1));
      s0 = f64x2.add(s0, f64x2.mul(lo, lo));
      s1 = f64x2.add(s1, f64x2.mul(hi, hi));
    }
    const s = f64x2.add(s0, s1);
    let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    for (; j < d; j++) {
      const t = <f64>(load<f32>(row + ((<usize>j) << 2)) - load<f32>(v + ((<usize>j) << 2)));
      sum += t * t;
    }
    store<f64>(out + ((<usize>i) << 3), sum);
  }
}
