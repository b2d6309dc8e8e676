import { z } from 'zod';
import { matmul } from '../../engine/kernels/index.js';
import { InputError } from '../../errors.js';
import { parseOptions, positiveNumber } from './options.js';
import { byClient, weightedSum } from './rows.js';
import type { Aggregate, AggregateResult, ClientUpdate } from './types.js';
import { validateUpdates } from './validate.js';

/** Each client's sum of all its past updates. Never mutated: every round makes a new history. */
export interface FoolsGoldHistory {
  readonly sums: ReadonlyMap<string, Float32Array>;
}

export const foolsGoldOptions = z.strictObject({
  /** κ, the confidence parameter of the logit that spreads the weights. */
  confidence: positiveNumber.default(1),
});
export type FoolsGoldOptions = z.input<typeof foolsGoldOptions>;

export const emptyFoolsGoldHistory: FoolsGoldHistory = { sums: new Map() };

/**
 * One round of FoolsGold (Fung, Yoon & Beschastnikh 2020, "The limitations of federated learning in sybil
 * settings"), as a pure function of the updates and the history. Sybils pushing one poisoning goal send
 * similar updates round after round, so clients whose accumulated updates are too similar in cosine to
 * another
 * client's get a small weight αᵢ (the paper's Algorithm 1 with pardoning and the logit, κ = `confidence`).
 * The
 * result is Σ αᵢ·Δᵢ / Σ αᵢ (the reference code returns the unnormalised sum; normalising keeps the result on
 * the
 * scale of FedAvg), or the zero update when every α is 0. Weights are ignored.
 * Scores: 1 − αᵢ, in [0, 1]; accepted: clients with αᵢ > 0.
 */
export function foolsGoldRound(
  updates: readonly ClientUpdate[],
  history: FoolsGoldHistory,
  options: FoolsGoldOptions = {},
): { result: AggregateResult; history: FoolsGoldHistory } {
  const { confidence } = parseOptions('foolsgold', foolsGoldOptions, options);
  const d = validateUpdates('foolsgold', updates);
  const n = updates.length;
  // The new sums of this round's clients, packed row by row: the GEMM input and the next history at once.
  const packed = new Float32Array(n * d);
  const sums = new Map(history.sums);
  updates.forEach(({ id, update }, i) => {
    const past = history.sums.get(id);
    if (past !== undefined && past.length !== d) {
      throw new InputError(`foolsgold: client "${id}" has ${d} values but its history has ${past.length}`, {
        row: i + 1,
        field: 'update',
      });
    }
    const sum = packed.subarray(i * d, (i + 1) * d);
    for (let j = 0; j < d; j++) sum[j] = (past?.[j] ?? 0) + update[j];
    sums.set(id, sum);
  });
  const gram = new Float32Array(n * n);
  matmul(packed, packed, gram, n, n, d, { transB: true });
  const alpha = foolsGoldWeights(cosineSimilarities(gram, n), n, confidence);
  const total = alpha.reduce((s, a) => s + a, 0);
  const ids = updates.map((u) => u.id);
  const update = weightedSum(
    updates.map((u) => u.update),
    alpha.map((a) => (total > 0 ? a / total : 0)),
    d,
  );
  return {
    result: {
      rule: 'foolsgold',
      update,
      accepted: ids.filter((_, i) => alpha[i] > 0),
      scores: byClient(
        ids,
        alpha.map((a) => 1 - a),
      ),
      info: { weights: byClient(ids, alpha) },
    },
    history: { sums },
  };
}

/**
 * FoolsGold as an `Aggregate` that carries its history from call to call: the state lives in this object,
 * explicitly readable (`history`) and seedable (`options.history`); the step itself is `foolsGoldRound`.
 */
export function foolsGold(
  options: FoolsGoldOptions & { history?: FoolsGoldHistory } = {},
): Aggregate & { readonly history: FoolsGoldHistory } {
  const { history: initial, ...roundOptions } = options;
  parseOptions('foolsgold', foolsGoldOptions, roundOptions);
  let history = initial ?? emptyFoolsGoldHistory;
  const aggregate = (updates: readonly ClientUpdate[]): AggregateResult => {
    const step = foolsGoldRound(updates, history, roundOptions);
    history = step.history;
    return step.result;
  };
  return Object.defineProperty(aggregate, 'history', {
    get: () => history,
    enumerable: true,
  }) as Aggregate & {
    readonly history: FoolsGoldHistory;
  };
}

/** Cosine similarities from a Gram matrix, with 0 on the diagonal (as `cs − I` in the reference code). */
function cosineSimilarities(gram: Float32Array, n: number): Float64Array {
  const cs = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const scale = Math.sqrt(gram[i * n + i] * gram[j * n + j]);
      if (i !== j && scale > 0) cs[i * n + j] = (gram[i * n + j] + gram[j * n + i]) / 2 / scale;
    }
  }
  return cs;
}

/** Algorithm 1 of Fung et al. 2020, following their reference implementation step for step. */
function foolsGoldWeights(cs: Float64Array, n: number, confidence: number): Float64Array {
  const maxSimilarity = new Float64Array(n);
  for (let i = 0; i < n; i++) maxSimilarity[i] = rowMax(cs, n, i);
  // Pardoning: an honest client that merely resembles a sybil is forgiven in proportion to how much less
  // similar to everyone it is than the sybil is.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j && maxSimilarity[i] < maxSimilarity[j])
        cs[i * n + j] *= maxSimilarity[i] / maxSimilarity[j];
    }
  }
  const alpha = new Float64Array(n);
  for (let i = 0; i < n; i++) alpha[i] = Math.min(1, Math.max(0, 1 - rowMax(cs, n, i)));
  const top = Math.max(...alpha);
  if (top === 0) return alpha;
  for (let i = 0; i < n; i++) {
    const a = alpha[i] / top === 1 ? 0.99 : alpha[i] / top;
    // The logit spreads the weights towards 0 and 1 around the 50% mark; κ sets how sharply.
    const logit = confidence * (Math.log(a / (1 - a)) + 0.5);
    alpha[i] = Math.min(1, Math.max(0, logit));
  }
  return alpha;
}

function rowMax(m: Float64Array, n: number, i: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < n; j++) best = Math.max(best, m[i * n + j]);
  return best;
}
