import { z } from 'zod';
import { InputError } from '../../errors.js';
import { roundRng } from './context.js';
import { parseOptions, positiveCount } from './options.js';
import { weightedSum } from './rows.js';
import type { Aggregate, ClientUpdate } from './types.js';
import { validateUpdates } from './validate.js';

export const bucketingOptions = z.strictObject({
  /**
   * Bucket size s. The paper's analysis wants s ≤ n / (2f) so that fewer than half the buckets are tainted.
   */
  s: positiveCount,
});
export type BucketingOptions = z.input<typeof bucketingOptions>;

const PERMUTATION_STREAM = 2;

/**
 * Bucketing (Karimireddy, He & Jaggi 2022, "Byzantine-robust learning on heterogeneous datasets via
 * bucketing"): shuffle the clients (seeded by `ctx.seed`/`ctx.round`), average them in buckets of s, and hand
 * the ⌈n/s⌉ bucket means to `inner`. Averaging shrinks the spread between honest non-IID clients, which
 * robust
 * rules otherwise mistake for (or let attackers hide in) heterogeneity. Composes with any rule:
 * `bucketing({ s: 2 }, krum({ f }))`; the inner rule's precondition then applies to the bucket count.
 * Bucket means weigh clients by their weights and carry the bucket's total weight, so bucketing FedAvg is
 * FedAvg.
 * Scores: each client gets its bucket's score; accepted: the members of the accepted buckets.
 */
export function bucketing(options: BucketingOptions, inner: Aggregate): Aggregate {
  const { s } = parseOptions('bucketing', bucketingOptions, options);
  return (updates, ctx) => {
    const d = validateUpdates('bucketing', updates);
    const n = updates.length;
    const order = roundRng(ctx, PERMUTATION_STREAM).permutation(n);
    const buckets: ClientUpdate[][] = [];
    for (let start = 0; start < n; start += s) {
      buckets.push(Array.from(order.subarray(start, start + s), (i) => updates[i]));
    }
    const means = buckets.map((members, k) => bucketMean(`bucket-${k}`, members, d));
    let inside: ReturnType<Aggregate>;
    try {
      inside = inner(means, ctx);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError(
        `bucketing with s = ${s} turned ${n} clients into ${buckets.length} buckets; ${error.problem}`,
        error.location,
      );
    }
    const scores: Record<string, number> = Object.create(null);
    const accepted: string[] = [];
    const acceptedBuckets = new Set(inside.accepted);
    buckets.forEach((members, k) => {
      for (const { id } of members) {
        scores[id] = inside.scores[means[k].id];
        if (acceptedBuckets.has(means[k].id)) accepted.push(id);
      }
    });
    return {
      rule: `bucketing(${inside.rule})`,
      update: inside.update,
      accepted,
      scores,
      info: { s, buckets: buckets.map((members) => members.map((u) => u.id)), inner: inside.info },
    };
  };
}

function bucketMean(id: string, members: readonly ClientUpdate[], d: number): ClientUpdate {
  const weights = members.map((u) => u.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  // A bucket of zero-weight clients still needs a mean; it enters the inner rule with weight 0.
  const coefficients = weights.map((w) => (total > 0 ? w / total : 1 / members.length));
  return {
    id,
    update: weightedSum(
      members.map((u) => u.update),
      coefficients,
      d,
    ),
    weight: total,
  };
}
