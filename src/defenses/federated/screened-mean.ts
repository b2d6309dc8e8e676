import { z } from 'zod';
import { squaredDistanceMatrix } from './distances.js';
import { type CleanInputSpace, checkLayer, offManifold } from './input-space.js';
import { rankByScore } from './krum.js';
import { byzantineCount, parseOptions, positiveNumber } from './options.js';
import { robustZ } from './robust-z.js';
import { byClient, dot, medianOf, norm, weightedSum } from './rows.js';
import type { Aggregate } from './types.js';
import { checkVector, requireClients, validateUpdates } from './validate.js';

export const screenedMeanOptions = z.strictObject({
  /** Always leave out the f most suspicious clients (e.g. the number of attackers expected). */
  f: byzantineCount.default(0),
  /** Also leave out every client whose suspicion, a robust z-score, is above this. */
  threshold: positiveNumber.default(3),
});
export type ScreenedMeanOptions = z.input<typeof screenedMeanOptions>;

/** What a screened mean measures of each client; each becomes a robust z-score across the round. */
export type ScreeningSignal = 'magnitude' | 'dissent' | 'reversal' | 'similarity' | 'off-manifold';

/** A client the screen left out, and the signal that scored it highest. */
export interface ScreenedOut {
  id: string;
  signal: ScreeningSignal;
  z: number;
}

/**
 * Screened mean: published defences composed, each stopping a different family of attacks.
 * 1. Every update is clipped to the median norm (norm bounding, Sun et al. 2019, with FLAME's median bound,
 *    Nguyen et al. 2022), so no update outweighs a typical one.
 * 2. Every client is measured four ways, each turned into a robust z-score across the round:
 *    - magnitude, log ‖gᵢ‖: boosted and noise updates (model replacement, Bagdasaryan et al. 2020);
 *    - dissent, the cosine distance to the mean of the clipped updates: updates pushing against this round's
 *      consensus (sign flipping, inner-product manipulation, Min-Max);
 *    - reversal, the cosine distance to the server momentum `ctx.momentum` when there is one: updates that
 *      undo what training has learnt so far (label flipping, backdoors); the history idea of Karimireddy, He
 *      & Jaggi 2021, "Learning from history for Byzantine robust optimization";
 *    - similarity, the mean cosine similarity to the ⌈n/5⌉ most similar other clients: sybils sending
 *      (nearly) one update, as ALIE, IPM and Min-Max attackers do (FoolsGold's signal, Fung, Yoon &
 *      Beschastnikh 2020, over a group rather than the single closest client, so that two honest clients
 *      holding the same kind of data under a non-IID split are not taken for sybils);
 *    - off-manifold, when the server knows its clean input space (`ctx.inputSpace`): the same similarity
 *      measured on the part of each first-layer update that the clean inputs cannot explain, where backdoor
 *      clients sharing a trigger align (see input-space.ts). Under non-IID clients it is the signal that
 *      still tells them apart: their whole updates differ as much as honest clients' do.
 *    A client's suspicion is its largest z.
 * 3. The f most suspicious clients, and every client above `threshold`, are left out (f as in Multi-Krum,
 *    Blanchard et al. 2017; the threshold also works when f is unknown); the result is the mean of the
 *    other clipped updates. Precondition n ≥ 2f + 1: the statistics assume an honest majority. Weights are
 *    ignored.
 * 4. The scores are the suspicion measured once more, with dissent now from the mean of the clients kept
 *    (reweighting, as iterated robust estimators do): attackers no longer pull the reference towards
 *    themselves, so sign flippers among non-IID clients stand out round after round and reputation
 *    quarantines them. Only the scores change: re-deciding who is left out against the cleaner reference
 *    would keep dropping the same minority of honest non-IID clients, at a cost in accuracy.
 * Scores: that suspicion; accepted: the clients kept; `info.excluded`: the clients left out, each with the
 * signal that scored it highest in step 2. Cost: one Gram matrix of the updates (the engine's kernel) and
 * O(n·d) passes.
 */
export function screenedMean(options: ScreenedMeanOptions = {}): Aggregate {
  const { f, threshold } = parseOptions('screened-mean', screenedMeanOptions, options);
  return (updates, ctx) => {
    const d = validateUpdates('screened-mean', updates);
    const n = updates.length;
    requireClients('screened-mean', n, f, '2f + 1', 2 * f + 1);
    const momentum = ctx?.momentum;
    if (momentum !== undefined) checkVector('screened-mean', 'momentum', momentum, d);
    const inputSpace = ctx?.inputSpace;
    if (inputSpace !== undefined) checkLayer(inputSpace.layer, d);
    const rows = updates.map((u) => u.update);
    const ids = updates.map((u) => u.id);
    const norms = rows.map(norm);
    const bound = medianOf(norms);
    // A zero bound (most updates are zero) clips everything to zero rather than dividing by it.
    const scale = norms.map((r) => (r > bound ? bound / r : 1));
    // Groups of a fifth of the clients: enough to steer the mean; a pair of look-alikes is not a group.
    const peers = Math.min(n - 1, Math.max(2, Math.ceil(n / 5)));
    const gram = gramMatrix(rows, norms);
    // Robust z-scores of the signals that do not depend on the reference; dissent is measured per reference.
    const fixed = screeningSignals(rows, norms, gram, momentum, inputSpace, peers).map(
      ({ signal, values }) => ({
        signal,
        z: robustZ(values),
      }),
    );
    const measure = (reference: readonly number[]) => {
      const measured = [
        ...fixed,
        { signal: 'dissent' as const, z: robustZ(dissent(gram, norms, scale, reference)) },
      ];
      return ids.map((_, i) => {
        let best = { signal: measured[0].signal, z: measured[0].z[i] };
        for (const { signal, z } of measured) if (z[i] > best.z) best = { signal, z: z[i] };
        return best;
      });
    };
    const strongest = measure(ids.map((_, i) => i));
    const ranked = rankByScore(
      strongest.map((s) => s.z),
      ids.map((_, i) => i),
      ids,
    ).reverse();
    // The least suspicious client always stays, so the result is never empty.
    const excluded = ranked.slice(0, n - 1).filter((i, rank) => rank < f || strongest[i].z > threshold);
    const left = new Set(excluded);
    const kept = ids.flatMap((_, i) => (left.has(i) ? [] : [i]));
    // The scores (what reputation accumulates) measure dissent again, from the mean of the clients kept: with
    // the attackers out of it, honest clients sit closer to it and attackers further away.
    const suspicion = measure(kept).map((s) => s.z);
    const coefficients = new Float64Array(n);
    for (const i of kept) coefficients[i] = scale[i] / kept.length;
    return {
      rule: 'screened-mean',
      update: weightedSum(rows, coefficients, d),
      accepted: kept.map((i) => ids[i]),
      scores: byClient(ids, suspicion),
      info: {
        bound,
        f,
        threshold,
        excluded: excluded.map((i): ScreenedOut => ({ id: ids[i], ...strongest[i] })),
      },
    };
  };
}

/**
 * The statistics behind the screen but dissent, all from the Gram matrix G of the updates (Gᵢⱼ = gᵢ·gⱼ,
 * derived from the engine's pairwise distances) plus one dot product per client with the momentum.
 */
function screeningSignals(
  rows: readonly Float32Array[],
  norms: readonly number[],
  gram: (i: number, j: number) => number,
  momentum: Float32Array | undefined,
  inputSpace: CleanInputSpace | undefined,
  peers: number,
): { signal: ScreeningSignal; values: number[] }[] {
  const signals: { signal: ScreeningSignal; values: number[] }[] = [
    { signal: 'magnitude', values: norms.map((r) => Math.log(Math.max(r, Number.MIN_VALUE))) },
    { signal: 'similarity', values: closestPeersSimilarity(gram, norms, peers) },
  ];
  if (momentum !== undefined) {
    const momentumNorm = norm(momentum);
    signals.push({
      signal: 'reversal',
      values: rows.map((row, i) => 1 - cosine(dot(row, momentum), norms[i], momentumNorm)),
    });
  }
  if (inputSpace !== undefined) {
    const residuals = rows.map((row) => offManifold(row, inputSpace));
    const residualNorms = residuals.map(norm);
    signals.push({
      signal: 'off-manifold',
      values: closestPeersSimilarity(gramMatrix(residuals, residualNorms), residualNorms, peers),
    });
  }
  return signals;
}

/**
 * Each client's cosine distance to the mean of the clipped updates sⱼgⱼ of the reference clients R and of
 * itself: a client left out of R still counts once, as in the first pass, so being left out does not by
 * itself push it further away. Measured through the Gram matrix; the mean is never formed.
 */
function dissent(
  gram: (i: number, j: number) => number,
  norms: readonly number[],
  scale: readonly number[],
  reference: readonly number[],
): number[] {
  const inReference = new Set(reference);
  const towards = norms.map((_, i) => {
    let s = 0;
    for (const j of reference) s += scale[j] * gram(i, j);
    return s;
  });
  let squared = 0;
  for (const i of reference) squared += scale[i] * towards[i];
  return norms.map((_, i) => {
    if (inReference.has(i)) return 1 - cosine(towards[i], norms[i], Math.sqrt(Math.max(0, squared)));
    const product = towards[i] + scale[i] * gram(i, i);
    const withSelf = squared + 2 * scale[i] * towards[i] + scale[i] ** 2 * gram(i, i);
    return 1 - cosine(product, norms[i], Math.sqrt(Math.max(0, withSelf)));
  });
}

/** Gᵢⱼ = rowᵢ·rowⱼ from the engine's pairwise distances: (‖rᵢ‖² + ‖rⱼ‖² − ‖rᵢ − rⱼ‖²) / 2. */
function gramMatrix(
  rows: readonly Float32Array[],
  norms: readonly number[],
): (i: number, j: number) => number {
  const n = rows.length;
  const dist = squaredDistanceMatrix(rows);
  return (i, j) => (i === j ? norms[i] ** 2 : (norms[i] ** 2 + norms[j] ** 2 - dist[i * n + j]) / 2);
}

function cosine(product: number, a: number, b: number): number {
  return a > 0 && b > 0 ? product / (a * b) : 0;
}

/**
 * Per client, its mean cosine similarity to the `peers` other clients most similar to it: high for every
 * member of a group sending (nearly) one update, while two honest clients that happen to hold the same
 * data (common under non-IID partitions) do not stand out.
 */
function closestPeersSimilarity(
  gram: (i: number, j: number) => number,
  norms: readonly number[],
  peers: number,
): number[] {
  const n = norms.length;
  return norms.map((ni, i) => {
    const similarities: number[] = [];
    for (let j = 0; j < n; j++) if (j !== i) similarities.push(cosine(gram(i, j), ni, norms[j]));
    similarities.sort((a, b) => b - a);
    const closest = similarities.slice(0, peers);
    // A lone client has no peers: nothing to be similar to.
    return closest.length === 0 ? 0 : closest.reduce((s, v) => s + v, 0) / closest.length;
  });
}
