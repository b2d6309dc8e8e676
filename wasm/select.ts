import { share } from './threads';

// k-smallest selection for nearest neighbours: a bounded max-heap per row, kept in the row's own output
// slots, so nothing is allocated. Order is by (distance, index), which makes ties deterministic.

/** Whether entry (da, ia) comes after (db, ib): larger distance, or equal distance and larger index. */
function after(da: f32, ia: i32, db: f32, ib: i32): bool {
  return da > db || (da === db && ia > ib);
}

/** Restores the max-heap below slot `at` of a heap of `size` entries. */
function siftDown(dist: usize, index: usize, size: i32, at: i32): void {
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) return;
    let child = left;
    const right = left + 1;
    if (
      right < size &&
      after(
        load<f32>(dist + ((<usize>right) << 2)),
        load<i32>(index + ((<usize>right) << 2)),
        load<f32>(dist + ((<usize>left) << 2)),
        load<i32>(index + ((<usize>left) << 2)),
      )
    ) {
      child = right;
    }
    const da = load<f32>(dist + ((<usize>at) << 2));
    const ia = load<i32>(index + ((<usize>at) << 2));
    const dc = load<f32>(dist + ((<usize>child) << 2));
    const ic = load<i32>(index + ((<usize>child) << 2));
    if (!after(dc, ic, da, ia)) return;
    store<f32>(dist + ((<usize>at) << 2), dc);
    store<i32>(index + ((<usize>at) << 2), ic);
    store<f32>(dist + ((<usize>child) << 2), da);
    store<i32>(index + ((<usize>child) << 2), ia);
    at = child;
  }
}

/**
 * For each of this thread's rows of d (rows × m): the k smallest entries, ascending by (distance, index),
 * into outIndex / outDist (rows × k). With `firstRow` ≥ 0 (d holds distances of X to itself from row
 * firstRow on), each row skips its own column. The caller guarantees k ≤ the candidates per row.
 */
export function smallestK(
  d: usize,
  rows: i32,
  m: i32,
  k: i32,
  firstRow: i32,
  outIndex: usize,
  outDist: usize,
  tid: i32,
  threads: i32,
): void {
  const i1 = share(rows, tid + 1, threads);
  for (let i = share(rows, tid, threads); i < i1; i++) {
    const row = d + ((<usize>i * <usize>m) << 2);
    const heapDist = outDist + ((<usize>i * <usize>k) << 2);
    const heapIndex = outIndex + ((<usize>i * <usize>k) << 2);
    const own = firstRow >= 0 ? firstRow + i : -1;
    let size = 0;
    for (let j = 0; j < m; j++) {
      if (j === own) continue;
      const dj = load<f32>(row + ((<usize>j) << 2));
      if (size < k) {
        // Grow the heap: place at the end and sift up.
        let at = size++;
        while (at > 0) {
          const parent = (at - 1) >> 1;
          const dp = load<f32>(heapDist + ((<usize>parent) << 2));
          const ip = load<i32>(heapIndex + ((<usize>parent) << 2));
          if (!after(dj, j, dp, ip)) break;
          store<f32>(heapDist + ((<usize>at) << 2), dp);
          store<i32>(heapIndex + ((<usize>at) << 2), ip);
          at = parent;
        }
        store<f32>(heapDist + ((<usize>at) << 2), dj);
        store<i32>(heapIndex + ((<usize>at) << 2), j);
      } else if (after(load<f32>(heapDist), load<i32>(heapIndex), dj, j)) {
        // Better than the worst kept: replace the root.
        store<f32>(heapDist, dj);
        store<i32>(heapIndex, j);
        siftDown(heapDist, heapIndex, k, 0);
      }
    }
    // Heapsort in place: repeatedly move the largest to the end.
    for (let end = size - 1; end > 0; end--) {
      const d0 = load<f32>(heapDist);
      const i0 = load<i32>(heapIndex);
      store<f32>(heapDist, load<f32>(heapDist + ((<usize>end) << 2)));
      store<i32>(heapIndex, load<i32>(heapIndex + ((<usize>end) << 2)));
      store<f32>(heapDist + ((<usize>end) << 2), d0);
      store<i32>(heapIndex + ((<usize>end) << 2), i0);
      siftDown(heapDist, heapIndex, end, 0);
    }
  }
}
