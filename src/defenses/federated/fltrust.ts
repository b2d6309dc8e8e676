import { z } from 'zod';
import { InputError } from '../../errors.js';
import { parseOptions, vector } from './options.js';
import { byClient, dot, norm, weightedSum } from './rows.js';
import type { Aggregate } from './types.js';
import { checkVector, validateUpdates } from './validate.js';

export const flTrustOptions = z.strictObject({
  /** This round's trusted update g₀, computed by the server on its small clean root dataset. */
  serverUpdate: vector,
});
export type FlTrustOptions = z.input<typeof flTrustOptions>;

/**
 * FLTrust (Cao, Fang, Liu & Gong 2021, "FLTrust: Byzantine-robust federated learning via trust
 * bootstrapping"): each client's trust is TSᵢ = ReLU(cos(gᵢ, g₀)) against the server's update g₀; updates are
 * rescaled to ‖g₀‖ and averaged with weights TSᵢ. The server update changes every round, so make one rule per
 * round: `flTrust({ serverUpdate })(updates)`. Weights are ignored.
 * Scores: 1 − cos(gᵢ, g₀), in [0, 2]; accepted: clients with trust > 0. When no client is trusted the result
 * is
 * the zero update.
 */
export function flTrust(options: FlTrustOptions): Aggregate {
  const { serverUpdate } = parseOptions('fltrust', flTrustOptions, options);
  checkVector('fltrust', 'serverUpdate', serverUpdate);
  const serverNorm = norm(serverUpdate);
  if (serverNorm === 0) {
    throw new InputError('fltrust: serverUpdate is all zeros, so no client can be trusted against it', {
      field: 'serverUpdate',
    });
  }
  return (updates) => {
    const d = validateUpdates('fltrust', updates);
    checkVector('fltrust', 'serverUpdate', serverUpdate, d);
    const rows = updates.map((u) => u.update);
    const ids = updates.map((u) => u.id);
    const norms = rows.map(norm);
    const cosines = rows.map((row, i) =>
      norms[i] > 0 ? dot(row, serverUpdate) / (norms[i] * serverNorm) : 0,
    );
    const trust = cosines.map((c) => Math.max(0, c));
    const totalTrust = trust.reduce((s, t) => s + t, 0);
    // Σ TSᵢ · (‖g₀‖/‖gᵢ‖)·gᵢ / Σ TSᵢ: the rescaling folds into each row's coefficient.
    const coefficients = trust.map((t, i) => (t > 0 ? (t * serverNorm) / (norms[i] * totalTrust) : 0));
    return {
      rule: 'fltrust',
      update: weightedSum(rows, coefficients, d),
      accepted: ids.filter((_, i) => trust[i] > 0),
      scores: byClient(
        ids,
        cosines.map((c) => 1 - c),
      ),
      info: { trust: byClient(ids, trust) },
    };
  };
}
