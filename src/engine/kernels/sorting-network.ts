/**
 * Batcher's odd–even merge sort as a comparator network (Batcher 1968, "Sorting networks and their
 * applications"), for any n: the network for the next power of two p, without the comparators that touch a
 * position ≥ n. That is exact: think of positions n … p − 1 as holding +∞; every comparator puts its minimum
 * at its lower position, so a comparator (i, j), i < j, with j ≥ n leaves both values in place, and the +∞
 * stay where they are. O(n log² n) comparators.
 *
 * Returns the comparators as pairs [lower, upper] of positions, flattened: pairs[2t], pairs[2t + 1].
 */
export function oddEvenMergeSortNetwork(n: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sorting network: n must be a count, got ${n}`);
  let p = 1;
  while (p < n) p *= 2;
  const pairs: number[] = [];
  // The iterative form: merge sorted runs of length `run`, comparing elements `gap` apart.
  for (let run = 1; run < p; run *= 2) {
    for (let gap = run; gap >= 1; gap /= 2) {
      for (let j = gap % run; j + gap < p; j += 2 * gap) {
        for (let i = 0; i < gap && i + j + gap < p; i++) {
          const lo = i + j;
          const hi = i + j + gap;
          // Only pairs within the same pair of runs being merged.
          if (Math.floor(lo / (2 * run)) === Math.floor(hi / (2 * run)) && hi < n) pairs.push(lo, hi);
        }
      }
    }
  }
  return Int32Array.from(pairs);
}
