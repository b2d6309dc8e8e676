import { z } from 'zod';
import { reduceCoordinates } from '../../engine/kernels/index.js';
import { squaredDistanceMatrix } from './distances.js';
import { krumScores, rankByScore } from './krum.js';
import { byzantineCount, parseOptions } from './options.js';
import { byClient } from './rows.js';
import type { Aggregate } from './types.js';
import { requireClients, validateUpdates } from './validate.js';

export const bulyanOptions = z.strictObject({ f: byzantineCount });
export type BulyanOptions = z.input<typeof bulyanOptions>;

/**
 * Bulyan (El Mhamdi, Guerraoui & Rouault 2018, "The hidden vulnerability of distributed learning in
 * Byzantium"): Krum is applied repeatedly, each time moving the winner from the candidates to a selection
 * set,
 * until θ = n − 2f updates are selected; then each coordinate of the result is the mean of the β = θ − 2f
 * selected values closest to that coordinate's median. Precondition n ≥ 4f + 3. Weights are ignored.
 * As in Flower's implementation, each Krum step uses max(1, r − f − 2) neighbours among the r candidates
 * left.
 * Scores: the Krum scores over all n clients (the first selection step); accepted: the selection set.
 */
export function bulyan(options: BulyanOptions): Aggregate {
  const { f } = parseOptions('bulyan', bulyanOptions, options);
  return (updates) => {
    validateUpdates('bulyan', updates);
    const n = updates.length;
    requireClients('bulyan', n, f, '4f + 3', 4 * f + 3);
    const theta = n - 2 * f;
    const beta = theta - 2 * f;
    const rows = updates.map((u) => u.update);
    const ids = updates.map((u) => u.id);
    const dist = squaredDistanceMatrix(rows);
    let candidates = ids.map((_, i) => i);
    const firstScores = krumScores(dist, n, candidates, n - f - 2);
    const selected: number[] = [];
    while (selected.length < theta) {
      const r = candidates.length;
      const neighbours = Math.min(r - 1, Math.max(1, r - f - 2));
      const scores = r === n ? firstScores : krumScores(dist, n, candidates, neighbours);
      const [winner] = rankByScore(scores, candidates, ids);
      selected.push(winner);
      candidates = candidates.filter((i) => i !== winner);
    }
    const { result: update } = reduceCoordinates(
      selected.map((i) => rows[i]),
      { kind: 'closest-to-median-mean', count: beta },
    );
    return {
      rule: 'bulyan',
      update,
      accepted: selected.map((i) => ids[i]),
      scores: byClient(ids, firstScores),
      info: { f, theta, beta },
    };
  };
}
