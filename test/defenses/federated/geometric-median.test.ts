import { describe, expect, it } from 'vitest';
import { geometricMedian } from '../../../src/defenses/federated/geometric-median.js';
import type { ClientUpdate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';
import { clients, euclidean, gaussianClients, gaussianVector, SEEDS } from './fixtures.js';

/** Σ wᵢ‖v − xᵢ‖, the objective the geometric median minimises. */
function objective(v: ArrayLike<number>, updates: readonly ClientUpdate[]): number {
  return updates.reduce((s, u) => s + (u.weight ?? 1) * euclidean(v, u.update), 0);
}

describe('geometricMedian', () => {
  it('finds the Fermat point of an equilateral triangle: its centroid (worked example)', () => {
    const result = geometricMedian()(
      clients([
        [0, 0],
        [2, 0],
        [1, Math.sqrt(3)],
      ]),
    );
    expect(result.update[0]).toBeCloseTo(1, 4);
    expect(result.update[1]).toBeCloseTo(Math.sqrt(3) / 3, 4);
    expect(result.scores.a).toBeCloseTo(2 / Math.sqrt(3), 4);
  });

  it('is the median on a line, and follows the weights', () => {
    expect(geometricMedian()(clients([[0], [1], [10]])).update[0]).toBeCloseTo(1, 4);
    const weighted = clients([[0], [1], [10]]);
    weighted[2].weight = 3; // more than half the total weight sits at 10
    expect(geometricMedian()(weighted).update[0]).toBeCloseTo(10, 4);
  });

  it('returns the point itself when every client sent the same update', () => {
    const result = geometricMedian()(
      clients([
        [2, -1],
        [2, -1],
        [2, -1],
      ]),
    );
    expect([...result.update]).toEqual([2, -1]);
  });

  it('minimises the objective: no nearby point does better', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const updates = gaussianClients(rng, 9, gaussianVector(rng, 5), 2);
      const v = geometricMedian()(updates).update;
      const best = objective(v, updates);
      for (let trial = 0; trial < 20; trial++) {
        const probe = v.map((x) => x + 1e-2 * rng.normal());
        expect(objective(probe, updates)).toBeGreaterThanOrEqual(best - 1e-6);
      }
    }
  });

  it('stays within the breakdown bound of the honest clients with f < n/2 outliers', () => {
    // For any z, ‖median − z‖ ≤ 2(1 − α)/(1 − 2α) · maxᵢ honest ‖xᵢ − z‖ with α = f/n: compare the objective
    // at
    // the median with the objective at z, using the triangle inequality on every term.
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      for (const [n, f] of [
        [10, 4],
        [15, 7],
      ]) {
        const centre = gaussianVector(rng, 16);
        const honest = gaussianClients(rng, n - f, centre, 1);
        const outliers = gaussianClients(rng, f, gaussianVector(rng, 16, 1e5), 10, 'x');
        const result = geometricMedian()([...honest, ...outliers]).update;
        const alpha = f / n;
        const radius = Math.max(...honest.map((u) => euclidean(u.update, centre)));
        expect(euclidean(result, centre)).toBeLessThanOrEqual(((2 * (1 - alpha)) / (1 - 2 * alpha)) * radius);
      }
    }
  });
});
