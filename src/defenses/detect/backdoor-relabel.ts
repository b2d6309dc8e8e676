/**
 * Exclusionary relabelling (the idea of activation clustering's exclusionary reclassification, Chen et al.
 * 2018): a sample is classified from its nearest neighbours in input space with a set of suspects left out
 * of the neighbours. Left in, triggered samples find each other (they share the trigger) and vouch for
 * their label; left out, a dirty-label poison's neighbours are clean samples of the class it was taken
 * from, so its vote names that source class instead of its label.
 */
import { fitStandardization, standardize } from '../../data/preprocess.js';
import { Rng } from '../../engine/rng.js';
import type { Tensor } from '../../engine/tensor.js';
import { InputError } from '../../errors.js';
import { nearestNeighbours } from './knn.js';

export interface Relabelling {
  /** Per query: the plurality label of its neighbours (ties to the lower label). */
  votedLabel: Int32Array;
  /** Per query: the share of its neighbours whose label differs from the query's own. */
  foreignShare: Float32Array;
}

/** Relabels `queries` (sample indices) with the `excluded` samples left out of their neighbours. */
export type Relabeller = (queries: readonly number[], excluded: ReadonlySet<number>) => Relabelling;

export interface RelabellerOptions {
  /** Neighbours that vote. */
  neighbours: number;
  /** Most samples searched for neighbours; a seeded subsample beyond it keeps large sets fast. */
  maxReference: number;
  seed: number;
  /** The option's name in error messages (e.g. `features`). */
  field: string;
}

/**
 * A relabeller over the rows of x ([n, …]; checked finite, then standardised so that no feature's unit
 * dominates the distances).
 */
export function exclusionaryRelabeller(
  x: Tensor,
  labels: Int32Array,
  numClasses: number,
  opts: RelabellerOptions,
): Relabeller {
  const n = labels.length;
  const d = rowWidth(x, n, opts.field);
  for (let v = 0; v < x.data.length; v++) {
    if (!Number.isFinite(x.data[v])) {
      throw new InputError(`value ${v % d} is ${x.data[v]}; impute missing values first`, {
        row: Math.floor(v / d) + 1,
        field: opts.field,
      });
    }
  }
  const rows = { x: { shape: [n, d], data: x.data }, y: labels, numClasses };
  const standardized = standardize(rows, fitStandardization(rows)).x.data;
  const rng = new Rng(opts.seed);
  return (queries, excluded) => {
    const outside: number[] = [];
    for (let i = 0; i < n; i++) if (!excluded.has(i)) outside.push(i);
    const reference = subsample(outside, opts.maxReference, rng);
    return relabelByNeighbours(standardized, d, labels, numClasses, queries, reference, opts.neighbours);
  };
}

/**
 * Votes for `queries` (sample indices) from their k nearest rows of `reference` (sample indices, which
 * should not contain the suspects) in the n × d feature matrix x; a query is never its own neighbour.
 */
export function relabelByNeighbours(
  x: Float32Array,
  d: number,
  labels: Int32Array,
  numClasses: number,
  queries: readonly number[],
  reference: readonly number[],
  k: number,
): Relabelling {
  const q = queries.length;
  // Queries first, then the reference rows, so neighbour indices ≥ q point into `reference`.
  const rows = new Float32Array((q + reference.length) * d);
  [...queries, ...reference].forEach((i, r) => {
    rows.set(x.subarray(i * d, (i + 1) * d), r * d);
  });
  const referenceRows = Uint32Array.from(reference, (_, r) => q + r);
  // One spare neighbour: a query that is also a reference row finds itself first.
  const searched = Math.min(k + 1, reference.length - 1);
  const { indices } = nearestNeighbours(rows, q, d, searched, { reference: referenceRows });
  const votedLabel = new Int32Array(q);
  const foreignShare = new Float32Array(q);
  const votes = new Int32Array(numClasses);
  queries.forEach((i, a) => {
    votes.fill(0);
    let counted = 0;
    for (let j = 0; j < searched && counted < k; j++) {
      const neighbour = reference[indices[a * searched + j] - q];
      if (neighbour === i) continue;
      votes[labels[neighbour]]++;
      counted++;
    }
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
    votedLabel[a] = best;
    foreignShare[a] = counted === 0 ? 0 : 1 - votes[labels[i]] / counted;
  });
  return { votedLabel, foreignShare };
}

/** Values per row of x, checking that x has one row per label. */
export function rowWidth(x: Tensor, n: number, field: string): number {
  if (x.shape[0] !== n) throw new InputError(`${x.shape[0]} rows of ${field} for ${n} labels`, { field });
  return n === 0 ? 0 : x.data.length / n;
}

/** At most `max` of `items` (a seeded draw, kept in their original order), or all of them. */
export function subsample(items: readonly number[], max: number, rng: Rng): number[] {
  if (items.length <= max) return [...items];
  return Array.from(rng.sample(items.length, max))
    .sort((a, b) => a - b)
    .map((k) => items[k]);
}
