import { z } from 'zod';
import { InputError } from '../../errors.js';
import { squaredDistanceMatrix } from './distances.js';
import { byzantineCount, parseOptions, positiveCount } from './options.js';
import { byClient, weightedSum } from './rows.js';
import type { Aggregate, ClientUpdate } from './types.js';
import { requireClients, validateUpdates } from './validate.js';

export const krumOptions = z.strictObject({ f: byzantineCount });
export type KrumOptions = z.input<typeof krumOptions>;

export const multiKrumOptions = z.strictObject({
  f: byzantineCount,
  /** How many lowest-scoring updates to average; default n − f. */
  m: positiveCount.optional(),
});
export type MultiKrumOptions = z.input<typeof multiKrumOptions>;

/**
 * Krum (Blanchard, El Mhamdi, Guerraoui & Stainer 2017, "Machine learning with adversaries: Byzantine
 * tolerant
 * gradient descent"): each update is scored by the sum of squared distances to its n − f − 2 nearest
 * neighbours, and the lowest-scoring update is the result. Precondition n ≥ 2f + 3. Weights are ignored.
 * Scores: the Krum scores. Ties are broken by client id, so the result does not depend on client order.
 */
export function krum(options: KrumOptions): Aggregate {
  const { f } = parseOptions('krum', krumOptions, options);
  return (updates) => krumAggregate('krum', updates, f, () => 1);
}

/** Multi-Krum (Blanchard et al. 2017): the plain mean of the m updates with the lowest Krum scores. */
export function multiKrum(options: MultiKrumOptions): Aggregate {
  const { f, m } = parseOptions('multi-krum', multiKrumOptions, options);
  return (updates) => krumAggregate('multi-krum', updates, f, (n) => m ?? n - f);
}

function krumAggregate(
  rule: string,
  updates: readonly ClientUpdate[],
  f: number,
  keep: (n: number) => number,
): ReturnType<Aggregate> {
  const d = validateUpdates(rule, updates);
  const n = updates.length;
  requireClients(rule, n, f, '2f + 3', 2 * f + 3);
  const m = keep(n);
  if (m > n) throw new InputError(`${rule}: cannot keep m = ${m} of n = ${n} clients`, { field: 'm' });
  const rows = updates.map((u) => u.update);
  const ids = updates.map((u) => u.id);
  const dist = squaredDistanceMatrix(rows);
  const all = ids.map((_, i) => i);
  const scores = krumScores(dist, n, all, n - f - 2);
  const selected = rankByScore(scores, all, ids).slice(0, m);
  const coefficients = new Float64Array(n);
  for (const i of selected) coefficients[i] = 1 / m;
  return {
    rule,
    update: weightedSum(rows, coefficients, d),
    accepted: selected.map((i) => ids[i]),
    scores: byClient(ids, scores),
    info: { f, m },
  };
}

/**
 * Krum scores among `candidates` (indices into the n × n squared-distance matrix): for each candidate, the
 * sum of its `neighbours` smallest squared distances to the other candidates. Indexed like `candidates`.
 */
export function krumScores(
  dist: Float64Array,
  n: number,
  candidates: readonly number[],
  neighbours: number,
): Float64Array {
  const others = new Float64Array(candidates.length - 1);
  return Float64Array.from(candidates, (i) => {
    let t = 0;
    for (const j of candidates) if (j !== i) others[t++] = dist[i * n + j];
    others.sort();
    let sum = 0;
    for (let k = 0; k < neighbours; k++) sum += others[k];
    return sum;
  });
}

/**
 * `candidates` ordered by ascending score (`scores` indexed like `candidates`). Scores from the float32 Gram
 * matrix carry rounding noise of about 1e-7 relative, so they are compared to 6 significant digits and what
 * ties at that precision is ordered by client id: the choice then does not depend on the clients' order.
 */
export function rankByScore(
  scores: ArrayLike<number>,
  candidates: readonly number[],
  ids: readonly string[],
): number[] {
  const rounded = Array.from(candidates, (_, k) => Number(scores[k].toPrecision(6)));
  const order = candidates.map((_, k) => k);
  order.sort((a, b) => rounded[a] - rounded[b] || compareIds(ids[candidates[a]], ids[candidates[b]]));
  return order.map((k) => candidates[k]);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
