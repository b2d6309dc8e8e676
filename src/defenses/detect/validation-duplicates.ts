/**
 * Exact and near duplicates, and duplicates that disagree on the label. Exact copies are found by hashing
 * each row's float32 bits. Near copies are pairs closer than `tolerance · √d` in standardised space (an RMS
 * difference of `tolerance` standard deviations per feature). Any such pair is also that close along every
 * unit direction, so a sweep over the rows sorted by their first principal component, filtered by the next
 * few, finds every pair exactly while computing few full distances — no n × n matrix at 60,000 samples.
 */
import type { Dataset } from '../../data/dataset.js';
import { fitStandardization } from '../../data/preprocess.js';
import { matmul, topEigenvectors } from '../../engine/kernels/index.js';
import { Rng } from '../../engine/rng.js';
import type { Finding, Severity } from '../../report/types.js';
import { gatherRows } from './knn.js';
import { className, rowLength, sampleName, sampleTarget } from './validation-common.js';

export interface DuplicateOptions {
  /** Near-duplicate threshold: RMS difference per standardised feature (default 0.05; 0 = exact only). */
  tolerance?: number;
  /** Seed of the subsample the principal directions are fitted on. */
  seed?: number;
}

/** Principal directions used to prune candidate pairs; the first orders the sweep. */
const DIRECTIONS = 12;
/** Rows the principal directions are fitted on (a subsample: they only need to spread the data). */
const PCA_SAMPLE = 4000;
/** How many other members a finding lists. */
const LISTED = 10;

export function duplicateFindings(dataset: Dataset, opts: DuplicateOptions = {}): Finding[] {
  const n = dataset.y.length;
  const d = rowLength(dataset);
  const complete = completeRows(dataset.x.data, n, d);
  const groups = new UnionFind(n);
  const exactOf = exactDuplicates(dataset.x.data, n, d, complete, groups);
  const tolerance = opts.tolerance ?? 0.05;
  if (tolerance > 0 && d > 0) nearDuplicates(dataset, complete, tolerance, opts.seed ?? 0, groups);
  return groupFindings(dataset, groups, exactOf);
}

/** Rows without NaN or ±Inf (the missing-value check reports the others). */
function completeRows(x: Float32Array, n: number, d: number): Uint32Array {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    let finite = true;
    for (let j = i * d; j < (i + 1) * d && finite; j++) finite = Number.isFinite(x[j]);
    if (finite) rows.push(i);
  }
  return Uint32Array.from(rows);
}

/**
 * Joins rows with identical bits and returns, for each row, the earlier row it copies (−1 for none). The
 * hash is FNV-1a over 32-bit words; rows with equal hashes are compared in full.
 */
function exactDuplicates(
  x: Float32Array,
  n: number,
  d: number,
  rows: Uint32Array,
  groups: UnionFind,
): Int32Array {
  const words = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const firstOf = new Int32Array(n).fill(-1);
  const byHash = new Map<number, number[]>();
  for (const i of rows) {
    let h = 0x811c9dc5;
    for (let j = i * d; j < (i + 1) * d; j++) h = Math.imul(h ^ words[j], 0x01000193);
    const bucket = byHash.get(h >>> 0);
    const original = bucket?.find((k) => sameRow(words, k, i, d));
    if (original !== undefined) {
      firstOf[i] = original;
      groups.union(original, i);
    } else if (bucket === undefined) byHash.set(h >>> 0, [i]);
    else bucket.push(i);
  }
  return firstOf;
}

function sameRow(words: Uint32Array, a: number, b: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (words[a * d + j] !== words[b * d + j]) return false;
  return true;
}

function nearDuplicates(
  dataset: Dataset,
  rows: Uint32Array,
  tolerance: number,
  seed: number,
  groups: UnionFind,
): void {
  const d = rowLength(dataset);
  const m = rows.length;
  if (m < 2) return;
  const { mean, std } = fitStandardization(dataset);
  const inverseStd = Float32Array.from(std, (s) => 1 / s);
  const k = Math.min(DIRECTIONS, d);
  const directions = principalDirections(dataset.x.data, d, rows, mean, inverseStd, k, seed);
  // Projections of the standardised rows: x · (v_k / σ) — the mean shift is the same for every row, so it
  // cancels in the differences the sweep compares.
  const weights = new Float32Array(d * k);
  for (let j = 0; j < d; j++)
    for (let c = 0; c < k; c++) weights[j * k + c] = directions[c * d + j] * inverseStd[j];
  const complete = gatherRows(dataset.x.data, d, rows);
  const projected = new Float32Array(m * k);
  matmul(complete, weights, projected, m, k, d);
  const radius = tolerance * Math.sqrt(d);
  const limit = radius * radius;
  const order = Uint32Array.from({ length: m }, (_, r) => r).sort(
    (a, b) => projected[a * k] - projected[b * k],
  );
  // Each direction's projections in sweep order, contiguous, so the inner loop reads memory sequentially.
  const sweep = Array.from({ length: k }, (_, c) => Float32Array.from(order, (r) => projected[r * k + c]));
  const first = sweep[0];
  const second = sweep[1] ?? first;
  // float32 projections of nearly equal rows can differ by rounding; the slack keeps the sweep exact.
  const slack = radius * (1 + 1e-4) + 1e-4;
  for (let a = 0; a < m; a++) {
    const firstA = first[a];
    const secondA = second[a];
    for (let b = a + 1; b < m && first[b] - firstA <= slack; b++) {
      if (Math.abs(second[b] - secondA) > slack || !withinOnRest(sweep, a, b, slack)) continue;
      const r = order[a];
      const s = order[b];
      if (groups.find(rows[r]) === groups.find(rows[s])) continue;
      if (scaledDistance(complete, r, s, d, inverseStd, limit) <= limit) groups.union(rows[r], rows[s]);
    }
  }
}

function withinOnRest(sweep: Float32Array[], a: number, b: number, slack: number): boolean {
  for (let c = 2; c < sweep.length; c++) if (Math.abs(sweep[c][a] - sweep[c][b]) > slack) return false;
  return true;
}

/** The squared standardised distance, or a value above `limit` as soon as the running sum passes it. */
function scaledDistance(
  x: Float32Array,
  r: number,
  s: number,
  d: number,
  inverseStd: Float32Array,
  limit: number,
): number {
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const diff = (x[r * d + j] - x[s * d + j]) * inverseStd[j];
    sum += diff * diff;
    if (sum > limit) return sum;
  }
  return sum;
}
/** The k leading principal directions (k × d) of the standardised rows, fitted on a seeded subsample. */
function principalDirections(
  x: Float32Array,
  d: number,
  rows: Uint32Array,
  mean: number[],
  inverseStd: Float32Array,
  k: number,
  seed: number,
): Float32Array {
  const rng = new Rng(seed);
  const chosen =
    rows.length > PCA_SAMPLE ? Array.from(rng.sample(rows.length, PCA_SAMPLE), (p) => rows[p]) : rows;
  const sample = new Float32Array(chosen.length * d);
  chosen.forEach((i, r) => {
    for (let j = 0; j < d; j++) sample[r * d + j] = (x[i * d + j] - mean[j]) * inverseStd[j];
  });
  if (chosen.length < 2) return unitAxes(k, d);
  return topEigenvectors(sample, chosen.length, d, k, { seed }).vectors;
}

function unitAxes(k: number, d: number): Float32Array {
  const axes = new Float32Array(k * d);
  for (let c = 0; c < k; c++) axes[c * d + c] = 1;
  return axes;
}

/**
 * One finding per member of each duplicate group: every member when the group's labels disagree (high: a
 * copy carries the wrong label, or someone injected it), else each member after the first (low for an
 * exact copy, which over-weights the sample; info for a near copy).
 */
function groupFindings(dataset: Dataset, groups: UnionFind, exactOf: Int32Array): Finding[] {
  const members = new Map<number, number[]>();
  for (let i = 0; i < dataset.y.length; i++) {
    const root = groups.find(i);
    if (root === i && groups.size(i) === 1) continue;
    const list = members.get(root);
    if (list === undefined) members.set(root, [i]);
    else list.push(i);
  }
  const findings: Finding[] = [];
  for (const group of members.values()) {
    const labels = new Set(group.map((i) => dataset.y[i]));
    const conflicting = labels.size > 1;
    group.forEach((i, position) => {
      if (!conflicting && position === 0) return;
      const others = group.filter((k) => k !== i);
      const exact = exactOf[i] >= 0 || others.some((k) => exactOf[k] === i);
      const severity: Severity = conflicting ? 'high' : exact ? 'low' : 'info';
      const ruleId = conflicting
        ? 'validation/conflicting-duplicate'
        : exact
          ? 'validation/exact-duplicate'
          : 'validation/near-duplicate';
      const copyOf = others.slice(0, LISTED).map((k) => sampleName(dataset, k));
      const more = others.length > LISTED ? ` and ${others.length - LISTED} more` : '';
      const what = exact ? 'an exact copy' : 'a near copy';
      const message = conflicting
        ? `${sampleName(dataset, i)} (label ${className(dataset, dataset.y[i])}) is ${what} of ` +
          `${copyOf.join(', ')}${more} with labels ${[...labels].map((c) => className(dataset, c)).join(', ')}`
        : `${sampleName(dataset, i)} is ${what} of ${copyOf.join(', ')}${more}`;
      findings.push({
        ruleId,
        severity,
        score: conflicting ? 1 : exact ? 0.5 : 0.25,
        message,
        target: sampleTarget(dataset, i),
        evidence: { duplicates: others.slice(0, LISTED), groupSize: group.length },
      });
    });
  }
  return findings;
}

/** Disjoint sets with path halving and union by size. */
class UnionFind {
  private readonly parent: Int32Array;
  private readonly sizes: Int32Array;

  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.sizes = new Int32Array(n).fill(1);
  }

  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }

  size(i: number): number {
    return this.sizes[this.find(i)];
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.sizes[ra] < this.sizes[rb]) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.sizes[ra] += this.sizes[rb];
  }
}
