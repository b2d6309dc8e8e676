import { z } from 'zod';
import { coordinateMedian } from './coordinate-wise.js';
import { squaredDistanceMatrix, squaredDistancesToCombination } from './distances.js';
import { parseOptions, positiveCount, positiveNumber, vector } from './options.js';
import { byClient, medianOf, weightedSum } from './rows.js';
import type { Aggregate } from './types.js';
import { checkVector, validateUpdates } from './validate.js';

export const centeredClippingOptions = z.strictObject({
  /** Clipping radius τ; default: the median distance of the updates to the starting point. */
  tau: positiveNumber.optional(),
  /** Clipping steps L; the paper uses 1, starting from the previous aggregate. */
  iterations: positiveCount.default(1),
  /**
   * Starting point v₀, e.g. the previous round's aggregate (the paper's momentum); default: coordinate-wise
   * median.
   */
  center: vector.optional(),
});
export type CenteredClippingOptions = z.input<typeof centeredClippingOptions>;

/**
 * Centred clipping (Karimireddy, He & Jaggi 2021, "Learning from history for Byzantine robust optimization"):
 * starting from v₀, repeat v ← v + (1/n) Σᵢ (xᵢ − v)·min(1, τ / ‖xᵢ − v‖). Each Byzantine client moves the
 * result by at most τ/n per step, whatever it sends. Weights are ignored.
 * Every iterate is a convex combination of v₀ and the updates, so the steps run on the (n+1) × (n+1) distance
 * matrix; the result is formed once at the end.
 * Scores: Euclidean distance to the result; accepted: every client (each contributes, clipped);
 * `info.clipped`: the clients farther than τ from the result.
 */
export function centeredClipping(options: CenteredClippingOptions = {}): Aggregate {
  const { tau, iterations, center } = parseOptions('centered-clipping', centeredClippingOptions, options);
  return (updates) => {
    const d = validateUpdates('centered-clipping', updates);
    const n = updates.length;
    const rows = updates.map((u) => u.update);
    const ids = updates.map((u) => u.id);
    if (center !== undefined) checkVector('centered-clipping', 'center', center, d);
    const start = center ?? coordinateMedian(rows);
    const points = [...rows, start];
    const dist = squaredDistanceMatrix(points);
    // Coefficients over `points`: the current iterate is Σ w·points, starting at v₀ (the last point).
    let w = new Float64Array(n + 1);
    w[n] = 1;
    let distances = distanceToIterate(dist, n, w);
    const radius = tau ?? medianOf([...distances]);
    for (let step = 0; step < iterations; step++) {
      const next = new Float64Array(n + 1);
      let moved = 0;
      for (let i = 0; i < n; i++) {
        const c = distances[i] > radius ? radius / distances[i] / n : 1 / n;
        next[i] = c;
        moved += c;
      }
      for (let j = 0; j <= n; j++) next[j] += (1 - moved) * w[j];
      w = next;
      distances = distanceToIterate(dist, n, w);
    }
    return {
      rule: 'centered-clipping',
      update: weightedSum(points, w, d),
      accepted: ids,
      scores: byClient(ids, distances),
      info: { tau: radius, iterations, clipped: ids.filter((_, i) => distances[i] > radius) },
    };
  };
}

/** Distances from the n updates to the iterate Σ w·points (points = updates + v₀). */
function distanceToIterate(dist: Float64Array, n: number, w: Float64Array): Float64Array {
  return squaredDistancesToCombination(dist, n + 1, w)
    .subarray(0, n)
    .map(Math.sqrt);
}
