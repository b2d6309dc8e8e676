/**
 * k nearest neighbours over all rows or a subsample of reference rows. The search itself is the kernels'
 * `nearestNeighbors` (WebAssembly, threaded, a block of query rows at a time), so memory stays
 * O(block · references) however many rows there are (no n × n matrix at 60,000 samples); this module maps
 * reference positions back to sample indices and leaves each row out of its own neighbours.
 */
import { nearestNeighbors } from '../../engine/kernels/index.js';

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
}

/** The k nearest reference rows of every row of x (n × d, row-major), excluding the row itself. */
export function nearestNeighbours(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  opts: NeighbourOptions = {},
): Neighbours {
  const { reference } = opts;
  const m = reference?.length ?? n;
  if (!(Number.isInteger(k) && k >= 1 && k < m)) {
    throw new RangeError(`nearestNeighbours: need 1 ≤ k < ${m} reference rows, got k = ${k}`);
  }
  if (reference === undefined) return { k, ...nearestNeighbors(x, n, d, k) };
  // One neighbour more than asked: the row itself may be among the reference rows, and is then dropped.
  const searched = k + 1;
  const found = nearestNeighbors(x, n, d, searched, { y: gatherRows(x, d, reference), m });
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let kept = 0;
    for (let j = 0; j < searched && kept < k; j++) {
      const id = reference[found.indices[i * searched + j]];
      if (id === i) continue;
      indices[i * k + kept] = id;
      distances[i * k + kept] = found.distances[i * searched + j];
      kept++;
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
