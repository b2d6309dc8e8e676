/**
 * The inner loops of the coordinate-wise rules (median, trimmed mean, Bulyan's closest-to-median mean), as
 * JavaScript source: the main thread compiles it once and the worker threads of coordinate-pool.ts evaluate
 * the same text, so both run the same code whether started from sources or from dist.
 *
 * Order statistics: quickselect (Hoare 1961) with a branch-free Lomuto partition. The clients' values are in
 * random order relative to each other, so a branching partition mispredicts about half its comparisons;
 * adding the comparison result to the write index does not. Coordinates are processed in blocks transposed
 * into a small client-minor buffer (block[c·n + i] = rows[i][start + c]), so each block is read from memory
 * once, reduced in cache, and the buffer reused: no n × d temporary.
 */
export const COORDINATE_KERNELS_SOURCE = `
const BLOCK_VALUES = 131072;
const MEDIAN = 0;
const TRIMMED_MEAN = 1;

function medianOfThree(a, i, j, k) {
  const x = a[i], y = a[j], z = a[k];
  if (x < y) return y < z ? j : x < z ? k : i;
  return x < z ? i : y < z ? k : j;
}

// Partitions a[lo..hi] around a median-of-three pivot; returns the pivot's final index p, with values
// < pivot before it and values >= pivot after it.
function partition(a, lo, hi) {
  const p = medianOfThree(a, lo, (lo + hi) >> 1, hi);
  const pivot = a[p];
  a[p] = a[hi];
  a[hi] = pivot;
  let store = lo;
  for (let j = lo; j < hi; j++) {
    const v = a[j];
    a[j] = a[store];
    a[store] = v;
    store += +(v < pivot);
  }
  a[hi] = a[store];
  a[store] = pivot;
  return store;
}

function selectKth(a, lo, hi, k) {
  while (hi > lo) {
    const i = partition(a, lo, hi);
    if (k === i) return a[k];
    if (k < i) hi = i - 1;
    else lo = i + 1;
  }
  return a[k];
}

function sortRange(a, lo, hi) {
  while (hi - lo > 12) {
    const i = partition(a, lo, hi);
    // Recurse into the smaller side and loop on the larger: the stack stays O(log n) deep.
    if (i - lo < hi - i) {
      sortRange(a, lo, i - 1);
      lo = i + 1;
    } else {
      sortRange(a, i + 1, hi);
      hi = i - 1;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

// Four rows at a time: half the loop overhead of one, and each step writes 16 contiguous bytes.
function transposeBlock(rows, start, width, block) {
  const n = rows.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const r0 = rows[i], r1 = rows[i + 1], r2 = rows[i + 2], r3 = rows[i + 3];
    for (let c = 0, o = i; c < width; c++, o += n) {
      const s = start + c;
      block[o] = r0[s];
      block[o + 1] = r1[s];
      block[o + 2] = r2[s];
      block[o + 3] = r3[s];
    }
  }
  for (; i < n; i++) {
    const r = rows[i];
    for (let c = 0, o = i; c < width; c++, o += n) block[o] = r[start + c];
  }
}

// The median of block[o..o+n); the mean of the middle two when n is even.
function medianAt(block, o, n) {
  const mid = n >> 1;
  const upper = selectKth(block, o, o + n - 1, o + mid);
  if ((n & 1) === 1) return upper;
  // selectKth left the n/2 smallest values in front of the upper median: the lower median is their maximum.
  let lower = block[o];
  for (let t = o + 1; t < o + mid; t++) if (block[t] > lower) lower = block[t];
  return (lower + upper) / 2;
}

// The mean without the f smallest and f largest values: two selections leave the order statistics
// f … n−f−1 in positions f … n−f−1.
function trimmedMeanAt(block, o, n, f) {
  if (f > 0) {
    selectKth(block, o, o + n - 1, o + f);
    selectKth(block, o + f, o + n - 1, o + n - f - 1);
  }
  let sum = 0;
  for (let t = o + f; t < o + n - f; t++) sum += block[t];
  return sum / (n - 2 * f);
}

// The mean of the beta values closest to the median. They are contiguous in sorted order: grow a window
// outwards from the median, each step taking the nearer neighbour (the lower one on a tie).
function closestToMedianMeanAt(block, o, n, beta) {
  sortRange(block, o, o + n - 1);
  const half = (n + 1) >> 1;
  const med = (n & 1) === 1 ? block[o + half - 1] : (block[o + half - 1] + block[o + half]) / 2;
  let left = o + half - 1;
  let right = o + half;
  let sum = 0;
  for (let taken = 0; taken < beta; taken++) {
    if (right >= o + n || (left >= o && med - block[left] <= block[right] - med)) sum += block[left--];
    else sum += block[right++];
  }
  return sum / beta;
}

// Reduces coordinates from … to−1 of the rows into out (kind: MEDIAN, TRIMMED_MEAN with param = f, else the
// closest-to-median mean with param = beta). With distances (n values), then adds each row's squared
// distance to the result over these coordinates (one streaming pass per row, summed in a register: cheaper
// than fusing it into the blocks, which would update all n sums for every coordinate).
function reduceRange(kind, param, rows, from, to, out, distances) {
  const n = rows.length;
  const width = Math.max(16, Math.floor(BLOCK_VALUES / n));
  const block = new Float32Array(width * n);
  for (let start = from; start < to; start += width) {
    const w = Math.min(width, to - start);
    transposeBlock(rows, start, w, block);
    for (let c = 0; c < w; c++) {
      const o = c * n;
      out[start + c] =
        kind === MEDIAN
          ? medianAt(block, o, n)
          : kind === TRIMMED_MEAN
            ? trimmedMeanAt(block, o, n, param)
            : closestToMedianMeanAt(block, o, n, param);
    }
  }
  if (distances === undefined) return;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    let s = 0;
    for (let j = from; j < to; j++) {
      const t = r[j] - out[j];
      s += t * t;
    }
    distances[i] += s;
  }
}
`;

/** The reductions `reduceRange` knows, by their number in the source above. */
export const REDUCTIONS = { median: 0, 'trimmed-mean': 1, 'closest-to-median-mean': 2 } as const;
export type Reduction = keyof typeof REDUCTIONS;

export interface CoordinateKernels {
  /**
   * Rearranges a[lo..hi] so that a[k] holds the value a sort would put there, no larger value before it and
   * no smaller after; returns it.
   */
  selectKth(a: Float32Array, lo: number, hi: number, k: number): number;
  /** Sorts a[lo..hi] ascending. */
  sortRange(a: Float32Array, lo: number, hi: number): void;
  reduceRange(
    kind: number,
    param: number,
    rows: readonly Float32Array[],
    from: number,
    to: number,
    out: Float32Array,
    distances: Float64Array | undefined,
  ): void;
}

/** The kernels compiled for the calling thread. */
export const coordinateKernels = new Function(
  `${COORDINATE_KERNELS_SOURCE}\nreturn { selectKth, sortRange, reduceRange };`,
)() as CoordinateKernels;
