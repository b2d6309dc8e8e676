import { vectorSquaredDistances } from '../../engine/kernels/index.js';
import { squaredDistance } from './rows.js';

/**
 * A pair closer than this fraction of ‖a − μ‖² + ‖b − μ‖² (μ: the mean of the rows measured together) may
 * have lost most of its digits: the engine's Gram-based distances are accurate to about 1e-7 of that sum.
 * Such pairs are measured again.
 */
const CANCELLATION_RATIO = 0.1;

/**
 * All pairwise squared Euclidean distances between the rows, n × n row-major float64, through the engine's
 * Gram-matrix kernel (`vectorSquaredDistances`: ‖a‖² + ‖b‖² − 2a·b after centring on the rows' mean).
 *
 * Centring alone fails for tight clusters that sit far from the other rows (honest clients agreeing to 1e-4,
 * attackers elsewhere): their distances are tiny next to their distance from the overall mean. Pairs that are
 * too close are grouped into clusters (connected components of "too close"); each cluster is measured again
 * on its own, centred on its own mean, recursively; a cluster that cannot be split further is measured by
 * direct float64 differences. Memory: the kernel's one copy of the rows measured at a time.
 */
export function squaredDistanceMatrix(rows: readonly Float32Array[]): Float64Array {
  const n = rows.length;
  const dist = new Float64Array(n * n);
  if (n < 2) return dist;
  fillDistances(
    rows,
    rows.map((_, i) => i),
    dist,
  );
  return dist;
}

function fillDistances(rows: readonly Float32Array[], members: readonly number[], dist: Float64Array): void {
  const n = rows.length;
  const imprecise = measure(rows, members, dist);
  for (const cluster of clusters(imprecise, n)) {
    if (cluster.members.length > 2 && cluster.members.length < members.length) {
      fillDistances(rows, cluster.members, dist);
      continue;
    }
    for (const [a, b] of cluster.pairs) dist[a * n + b] = dist[b * n + a] = squaredDistance(rows[a], rows[b]);
  }
}

/** Writes the kernel's distances between `members` into `dist`; returns the pairs it could not trust. */
function measure(
  rows: readonly Float32Array[],
  members: readonly number[],
  dist: Float64Array,
): [number, number][] {
  const n = rows.length;
  const m = members.length;
  const local = vectorSquaredDistances(members.map((i) => rows[i]));
  const spread = squaredDistancesToCombination(local, m, new Float64Array(m).fill(1 / m));
  const imprecise: [number, number][] = [];
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      const sq = local[a * m + b];
      const i = members[a];
      const j = members[b];
      dist[i * n + j] = dist[j * n + i] = sq;
      if (sq < CANCELLATION_RATIO * (spread[a] + spread[b])) imprecise.push([i, j]);
    }
  }
  return imprecise;
}

interface Cluster {
  members: number[];
  pairs: [number, number][];
}

/** Connected components of the graph whose edges are `pairs` (union–find over row indices < n). */
function clusters(pairs: readonly [number, number][], n: number): Cluster[] {
  if (pairs.length === 0) return [];
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (const [a, b] of pairs) parent[root(a)] = root(b);
  const byRoot = new Map<number, Cluster>();
  const clusterOf = (i: number): Cluster => {
    const r = root(i);
    let cluster = byRoot.get(r);
    if (cluster === undefined) byRoot.set(r, (cluster = { members: [], pairs: [] }));
    return cluster;
  };
  const seen = new Uint8Array(n);
  for (const pair of pairs) {
    const cluster = clusterOf(pair[0]);
    cluster.pairs.push(pair);
    for (const i of pair) {
      if (seen[i] === 0) cluster.members.push(i);
      seen[i] = 1;
    }
  }
  return [...byRoot.values()];
}

/**
 * ‖Σⱼ wⱼ yⱼ − yᵢ‖² for every i, given only the pairwise squared distances `dist` (n × n) and weights summing
 * to 1: (D·w)ᵢ − ½ wᵀ·D·w. Lets iterative rules (Weiszfeld, centred clipping) run in O(n²) per step.
 */
export function squaredDistancesToCombination(
  dist: ArrayLike<number>,
  n: number,
  w: ArrayLike<number>,
): Float64Array {
  const dw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += dist[i * n + j] * w[j];
    dw[i] = s;
  }
  let spread = 0;
  for (let i = 0; i < n; i++) spread += w[i] * dw[i];
  for (let i = 0; i < n; i++) dw[i] = Math.max(0, dw[i] - spread / 2);
  return dw;
}
