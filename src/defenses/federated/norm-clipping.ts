import { z } from 'zod';
import { roundRng } from './context.js';
import { nonNegativeNumber, parseOptions, positiveNumber } from './options.js';
import { byClient, medianOf, norm, weightedSum } from './rows.js';
import type { Aggregate } from './types.js';
import { clientWeights, validateUpdates } from './validate.js';

export const normClippingOptions = z.strictObject({
  /** The norm bound M; default: the median of the clients' update norms this round. */
  bound: positiveNumber.optional(),
  /** Standard deviation σ of the Gaussian noise added to every coordinate of the result ("weak DP"). */
  noise: nonNegativeNumber.default(0),
});
export type NormClippingOptions = z.input<typeof normClippingOptions>;

const NOISE_STREAM = 1;

/**
 * Norm-bound clipping with optional Gaussian noise (Sun, Kairouz, Suresh & McMahan 2019, "Can you really
 * backdoor federated learning?"): each update is scaled down to norm ≤ M, the results are averaged with the
 * client weights as in FedAvg, and N(0, σ²) noise is added to each coordinate (seeded by
 * `ctx.seed`/`ctx.round`).
 * Bounds what any one client, such as a model-replacement attacker that boosts its update, can contribute.
 * The default M, the median norm, is scale-free and cannot be inflated by fewer than half the clients.
 * Scores: ‖update‖ / M; accepted: clients with weight > 0; `info.clipped`: the clients scaled down.
 */
export function normClipping(options: NormClippingOptions = {}): Aggregate {
  const { bound, noise } = parseOptions('norm-clipping', normClippingOptions, options);
  return (updates, ctx) => {
    const d = validateUpdates('norm-clipping', updates);
    const weights = clientWeights('norm-clipping', updates);
    const rows = updates.map((u) => u.update);
    const ids = updates.map((u) => u.id);
    const norms = rows.map(norm);
    const limit = bound ?? medianOf(norms);
    const total = weights.reduce((s, w) => s + w, 0);
    // A zero median norm means most updates are zero: clip everything to zero rather than divide by it.
    const scale = norms.map((r) => (r > limit ? (limit > 0 ? limit / r : 0) : 1));
    const update = weightedSum(
      rows,
      weights.map((w, i) => (w / total) * scale[i]),
      d,
    );
    if (noise > 0) {
      const rng = roundRng(ctx, NOISE_STREAM);
      for (let j = 0; j < d; j++) update[j] += noise * rng.normal();
    }
    return {
      rule: 'norm-clipping',
      update,
      accepted: ids.filter((_, i) => weights[i] > 0),
      scores: byClient(
        ids,
        norms.map((r) => (limit > 0 ? r / limit : r)),
      ),
      info: { bound: limit, noise, clipped: ids.filter((_, i) => scale[i] < 1) },
    };
  };
}
