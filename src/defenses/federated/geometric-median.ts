import { z } from 'zod';
import { squaredDistanceMatrix, squaredDistancesToCombination } from './distances.js';
import { parseOptions, positiveCount, positiveNumber } from './options.js';
import { byClient, weightedSum } from './rows.js';
import type { Aggregate } from './types.js';
import { clientWeights, validateUpdates } from './validate.js';

export const geometricMedianOptions = z.strictObject({
  /** Upper bound on Weiszfeld steps. */
  maxIterations: positiveCount.default(1000),
  /** Stop when a step improves the objective by less than this fraction of it. */
  tolerance: positiveNumber.default(1e-9),
  /** Smoothing ν, as a fraction of the mean distance of the updates to their weighted mean. */
  smoothing: positiveNumber.default(1e-6),
});
export type GeometricMedianOptions = z.input<typeof geometricMedianOptions>;

/**
 * Geometric median by the smoothed Weiszfeld algorithm (RFA: Pillutla, Kakade & Harchaoui 2022, "Robust
 * aggregation for federated learning"): the point v minimising Σᵢ αᵢ‖v − xᵢ‖, found by repeating
 * v ← Σ βᵢxᵢ / Σ βᵢ with βᵢ = αᵢ / max(ν, ‖v − xᵢ‖). Robust while the Byzantine clients hold less than half
 * the
 * total weight α (the client weights, e.g. sample counts, as in RFA).
 * Every iterate is a convex combination of the updates, so each step runs on the n × n distance matrix (one
 * GEMM) rather than on the n × d updates; the result is formed once at the end.
 * Scores: Euclidean distance to the result; accepted: clients with weight > 0.
 */
export function geometricMedian(options: GeometricMedianOptions = {}): Aggregate {
  const { maxIterations, tolerance, smoothing } = parseOptions(
    'geometric-median',
    geometricMedianOptions,
    options,
  );
  return (updates) => {
    const d = validateUpdates('geometric-median', updates);
    const alpha = clientWeights('geometric-median', updates);
    const n = updates.length;
    const rows = updates.map((u) => u.update);
    const ids = updates.map((u) => u.id);
    const dist = squaredDistanceMatrix(rows);
    const totalAlpha = alpha.reduce((s, a) => s + a, 0);
    let w = alpha.map((a) => a / totalAlpha);
    let distances = squaredDistancesToCombination(dist, n, w).map(Math.sqrt);
    const nu = (smoothing * weightedTotal(alpha, distances)) / totalAlpha;
    let objective = smoothedObjective(alpha, distances, nu);
    let iterations = 0;
    while (iterations < maxIterations && nu > 0) {
      iterations++;
      const beta = alpha.map((a, i) => a / Math.max(nu, distances[i]));
      const totalBeta = beta.reduce((s, b) => s + b, 0);
      const next = beta.map((b) => b / totalBeta);
      const nextDistances = squaredDistancesToCombination(dist, n, next).map(Math.sqrt);
      const nextObjective = smoothedObjective(alpha, nextDistances, nu);
      // A smoothed Weiszfeld step never increases the smoothed objective (it minimises a majorant of it); an
      // increase is rounding noise at the optimum.
      if (nextObjective > objective) break;
      const improvement = objective - nextObjective;
      w = next;
      distances = nextDistances;
      objective = nextObjective;
      if (improvement <= tolerance * objective) break;
    }
    return {
      rule: 'geometric-median',
      update: weightedSum(rows, w, d),
      accepted: ids.filter((_, i) => alpha[i] > 0),
      scores: byClient(ids, distances),
      info: { iterations, objective: weightedTotal(alpha, distances) },
    };
  };
}

/** RFA's smoothed objective: Σ αᵢ·(‖v − xᵢ‖ if it is ≥ ν, else ‖v − xᵢ‖²/2ν + ν/2). */
function smoothedObjective(alpha: ArrayLike<number>, distances: ArrayLike<number>, nu: number): number {
  let s = 0;
  for (let i = 0; i < distances.length; i++) {
    const r = distances[i];
    s += alpha[i] * (r >= nu ? r : (r * r) / (2 * nu) + nu / 2);
  }
  return s;
}

function weightedTotal(weights: ArrayLike<number>, values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += weights[i] * values[i];
  return s;
}
