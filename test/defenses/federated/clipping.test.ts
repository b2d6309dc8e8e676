import { describe, expect, it } from 'vitest';
import { centeredClipping } from '../../../src/defenses/federated/centered-clipping.js';
import { normClipping } from '../../../src/defenses/federated/norm-clipping.js';
import type { ClientUpdate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';
import { clients, euclidean, gaussianClients, gaussianVector, SEEDS } from './fixtures.js';

describe('normClipping', () => {
  it('scales updates down to the bound and averages with the weights (worked example)', () => {
    // norms 5, 1, 2; default bound = median norm = 2, so a = (3,4) becomes (1.2, 1.6)
    const updates = clients([
      [3, 4],
      [0, 1],
      [0, 2],
    ]);
    const result = normClipping()(updates);
    expect(result.update[0]).toBeCloseTo(0.4, 6);
    expect(result.update[1]).toBeCloseTo(4.6 / 3, 6);
    expect({ ...result.scores }).toEqual({ a: 2.5, b: 0.5, c: 1 });
    expect(result.info).toMatchObject({ bound: 2, clipped: ['a'] });
    updates[1].weight = 2;
    const weighted = normClipping({ bound: 2 })(updates);
    expect(weighted.update[0]).toBeCloseTo(0.3, 6);
    expect(weighted.update[1]).toBeCloseTo(1.4, 6);
  });

  it('adds seeded Gaussian noise of the requested standard deviation', () => {
    const d = 20_000;
    const updates = clients([new Array(d).fill(0), new Array(d).fill(0)]);
    const rule = normClipping({ bound: 1, noise: 0.5 });
    const a = rule(updates, { seed: 7, round: 3 }).update;
    let sum = 0;
    let squares = 0;
    for (const v of a) {
      sum += v;
      squares += v * v;
    }
    expect(Math.abs(sum / d)).toBeLessThan(0.02);
    expect(Math.sqrt(squares / d)).toBeCloseTo(0.5, 1);
    expect(rule(updates, { seed: 7, round: 3 }).update).toEqual(a);
    expect(rule(updates, { seed: 7, round: 4 }).update).not.toEqual(a);
  });
});

/** Centred clipping written out on explicit vectors. */
function referenceCenteredClipping(
  updates: readonly ClientUpdate[],
  start: ArrayLike<number>,
  tau: number,
  steps: number,
): number[] {
  let v = Array.from(start);
  for (let l = 0; l < steps; l++) {
    const move = v.map(() => 0);
    for (const { update } of updates) {
      const r = euclidean(update, v);
      const scale = r > tau ? tau / r : 1;
      v.forEach((vj, j) => {
        move[j] += (scale * (update[j] - vj)) / updates.length;
      });
    }
    v = v.map((vj, j) => vj + move[j]);
  }
  return v;
}

describe('centeredClipping', () => {
  it('clips around the current point, step by step (worked example)', () => {
    // from 0 with τ = 5: step 1 clips 100 to 5 → (1+2+3+5)/4 = 2.75;
    // step 2: differences -1.75 -0.75 0.25 (97.25 → 5) → v = 2.75 + 2.75/4 = 3.4375
    const updates = clients([[1], [2], [3], [100]]);
    const one = centeredClipping({ tau: 5, iterations: 1, center: Float32Array.of(0) })(updates);
    expect(one.update[0]).toBeCloseTo(2.75, 6);
    const two = centeredClipping({ tau: 5, iterations: 2, center: Float32Array.of(0) })(updates);
    expect(two.update[0]).toBeCloseTo(3.4375, 6);
    expect(two.scores.d).toBeCloseTo(100 - 3.4375, 4);
    expect(two.info).toMatchObject({ tau: 5, clipped: ['d'] });
  });

  it('matches the direct definition on random rounds, from the median by default', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const updates = [
        ...gaussianClients(rng, 8, gaussianVector(rng, 12), 1),
        ...gaussianClients(rng, 2, gaussianVector(rng, 12, 30), 1, 'x'),
      ];
      const start = gaussianVector(rng, 12);
      const got = centeredClipping({ tau: 2, iterations: 4, center: start })(updates).update;
      referenceCenteredClipping(updates, start, 2, 4).forEach((v, j) => {
        expect(got[j]).toBeCloseTo(v, 4);
      });
      const fromMedian = centeredClipping({ iterations: 3 })(updates);
      expect(fromMedian.info?.tau).toBeGreaterThan(0);
      expect(fromMedian.scores.x0).toBeGreaterThan(
        Math.max(...updates.slice(0, 8).map((u) => fromMedian.scores[u.id])),
      );
    }
  });

  it('bounds the pull of a far outlier by τ/n per step', () => {
    const honest = clients([[0], [0], [0], [0]]);
    const attacked = [...honest, { id: 'x', update: Float32Array.of(1e9) }];
    const result = centeredClipping({ tau: 1, iterations: 3, center: Float32Array.of(0) })(attacked);
    expect(result.update[0]).toBeGreaterThan(0);
    expect(result.update[0]).toBeLessThanOrEqual((3 * 1) / 5 + 1e-6);
  });

  it('checks the starting point', () => {
    expect(() => centeredClipping({ center: Float32Array.of(1) })(clients([[1, 2]]))).toThrow(
      /center has 1 values but the updates have 2/,
    );
    expect(() => centeredClipping({ center: Float32Array.of(Number.NaN) })(clients([[1]]))).toThrow(
      /center\[0\] is NaN/,
    );
  });
});
