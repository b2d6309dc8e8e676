/**
 * k nearest neighbours by blocks: the squared distances of a block of query rows to every reference row
 * come from the GEMM-based distance kernel, and each row keeps its k smallest in a sorted buffer, so memory
 * stays O(block · references) however many rows there are (no n × n matrix at 60,000 samples).
 */
import { pairwiseSquaredDistances } from '../../engine/kernels/index.js';

export interface Neighbours {
  k: number;
  /** n × k sample indices of each row's neighbours, nearest first (the row itself is never its own neighbour). */
  indices: Int32Array;
  /** n × k squared Euclidean distances matching `indices`. */
  distances: Float32Array;
}

export interface NeighbourOptions {
  /** Rows that may be neighbours (default: all). A subsample keeps the cost linear in n on large sets. */
  reference?: ArrayLike<number>;
  /** Distance-matrix entries per block (default 8M floats = 32 MB). */
  blockEntries?: number;
}

/** The k nearest reference rows of every row of x (n × d, row-major), excluding the row itself. */
export function nearestNeighbours(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  opts: NeighbourOptions = {},
): Neighbours {
  const reference = opts.reference ?? Uint32Array.from({ length: n }, (_, i) => i);
  const m = reference.length;
  if (!(Number.isInteger(k) && k >= 1 && k < m)) {
    throw new RangeError(`nearestNeighbours: need 1 ≤ k < ${m} reference rows, got k = ${k}`);
  }
  const refRows = gatherRows(x, d, reference);
  const block = Math.max(1, Math.min(n, Math.floor((opts.blockEntries ?? 8_000_000) / m)));
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    const dist = pairwiseSquaredDistances(x.subarray(start * d, (start + rows) * d), rows, d, refRows, m);
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      keepSmallest(dist.subarray(r * m, (r + 1) * m), reference, i, k, indices, distances, i * k);
    }
  }
  return { k, indices, distances };
}

/** Copies rows `which` of x into one contiguous array. */
export function gatherRows(x: Float32Array, d: number, which: ArrayLike<number>): Float32Array {
  const out = new Float32Array(which.length * d);
  for (let r = 0; r < which.length; r++) out.set(x.subarray(which[r] * d, (which[r] + 1) * d), r * d);
  return out;
}

/** Insertion into a sorted buffer of k: after the first few rows almost every candidate fails one compare. */
function keepSmallest(
  row: Float32Array,
  reference: ArrayLike<number>,
  self: number,
  k: number,
  indices: Int32Array,
  distances: Float32Array,
  offset: number,
): void {
  let size = 0;
  let worst = Number.POSITIVE_INFINITY;
  for (let j = 0; j < row.length; j++) {
    const v = row[j];
    if (v >= worst) continue;
    const id = reference[j];
    if (id === self) continue;
    let p = size < k ? size++ : k - 1;
    while (p > 0 && distances[offset + p - 1] > v) {
      distances[offset + p] = distances[offset + p - 1];
      indices[offset + p] = indices[offset + p - 1];
      p--;
    }
    distances[offset + p] = v;
    indices[offset + p] = id;
    if (size === k) worst = distances[offset + k - 1];
  }
}
