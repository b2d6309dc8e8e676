import { z } from 'zod';
import { parseOptions } from './options.js';
import { byClient, distancesTo, weightedSum } from './rows.js';
import type { Aggregate } from './types.js';
import { clientWeights, validateUpdates } from './validate.js';

export const fedAvgOptions = z.strictObject({});
export type FedAvgOptions = z.input<typeof fedAvgOptions>;

/**
 * Federated averaging (McMahan et al. 2017, "Communication-efficient learning of deep networks from
 * decentralized data"): the weight-weighted mean of the updates. Not robust: one client can move it anywhere.
 * The baseline every robust rule is measured against. Scores: Euclidean distance to the result; accepted:
 * clients with a weight > 0.
 */
export function fedAvg(options: FedAvgOptions = {}): Aggregate {
  parseOptions('fedavg', fedAvgOptions, options);
  return (updates) => {
    const d = validateUpdates('fedavg', updates);
    const weights = clientWeights('fedavg', updates);
    const total = weights.reduce((s, w) => s + w, 0);
    const rows = updates.map((u) => u.update);
    const update = weightedSum(
      rows,
      weights.map((w) => w / total),
      d,
    );
    const ids = updates.map((u) => u.id);
    return {
      rule: 'fedavg',
      update,
      accepted: ids.filter((_, i) => weights[i] > 0),
      scores: byClient(ids, distancesTo(rows, update)),
    };
  };
}
