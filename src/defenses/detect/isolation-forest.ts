/**
 * Isolation forest (Liu, Ting & Zhou, ICDM 2008): random axis-parallel splits isolate an anomaly in fewer
 * steps than a normal point. Each tree is grown on a small subsample (ψ = 256 by default, the paper's
 * choice), so the cost is linear in n and independent of the data set's size.
 */
import { Rng } from '../../engine/rng.js';

export interface IsolationForestOptions {
  seed: number;
  trees?: number;
  subsample?: number;
}

/** Tree nodes in flat arrays: an internal node splits `feature` at `threshold`; a leaf stores its size. */
interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  /** For leaves (feature = −1): the path-length correction c(size) plus the leaf's depth. */
  leafDepth: Float32Array;
}

/** Anomaly score s(x) = 2^(−E[h(x)] / c(ψ)) of every row of x (n × d); ≈ 1 anomalous, ≤ 0.5 normal. */
export function isolationForestScores(
  x: Float32Array,
  n: number,
  d: number,
  opts: IsolationForestOptions,
): Float32Array {
  const { trees = 100 } = opts;
  const psi = Math.min(opts.subsample ?? 256, n);
  const maxDepth = Math.ceil(Math.log2(Math.max(2, psi)));
  const rng = new Rng(opts.seed);
  const depthSum = new Float64Array(n);
  for (let t = 0; t < trees; t++) {
    const tree = growTree(x, d, rng.sample(n, psi), maxDepth, rng);
    for (let i = 0; i < n; i++) depthSum[i] += pathLength(tree, x, i * d);
  }
  const norm = averagePathLength(psi);
  return Float32Array.from(depthSum, (s) => 2 ** (-s / trees / norm));
}

function growTree(x: Float32Array, d: number, sample: Uint32Array, maxDepth: number, rng: Rng): Tree {
  const capacity = 2 * sample.length;
  const tree: Tree = {
    feature: new Int32Array(capacity).fill(-1),
    threshold: new Float32Array(capacity),
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
    leafDepth: new Float32Array(capacity),
  };
  let nodes = 0;
  const build = (rows: Uint32Array, depth: number): number => {
    const node = nodes++;
    const split = depth < maxDepth && rows.length > 1 ? chooseSplit(x, d, rows, rng) : undefined;
    if (split === undefined) {
      tree.leafDepth[node] = depth + averagePathLength(rows.length);
      return node;
    }
    const goesLeft = Array.from(rows, (r) => x[r * d + split.feature] < split.threshold);
    tree.feature[node] = split.feature;
    tree.threshold[node] = split.threshold;
    tree.left[node] = build(
      rows.filter((_, j) => goesLeft[j]),
      depth + 1,
    );
    tree.right[node] = build(
      rows.filter((_, j) => !goesLeft[j]),
      depth + 1,
    );
    return node;
  };
  build(sample, 0);
  return tree;
}

/** A random feature that varies among `rows` and a uniform threshold inside its range (a few tries). */
function chooseSplit(
  x: Float32Array,
  d: number,
  rows: Uint32Array,
  rng: Rng,
): { feature: number; threshold: number } | undefined {
  for (let attempt = 0; attempt < 8; attempt++) {
    const feature = rng.int(d);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      const v = x[r * d + feature];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi > lo) return { feature, threshold: lo + (hi - lo) * rng.float() };
  }
  return undefined;
}

function pathLength(tree: Tree, x: Float32Array, offset: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node = x[offset + tree.feature[node]] < tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return tree.leafDepth[node];
}

/** c(m): the average path length of an unsuccessful search in a binary search tree of m points. */
function averagePathLength(m: number): number {
  if (m <= 1) return 0;
  if (m === 2) return 1;
  return 2 * (Math.log(m - 1) + 0.5772156649) - (2 * (m - 1)) / m;
}
