import { describe, expect, it } from 'vitest';
import { median, trimmedMean } from '../../../src/defenses/federated/coordinate-wise.js';
import type { ClientUpdate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';
import { clients, gaussianClients, gaussianVector, SEEDS } from './fixtures.js';

describe('median', () => {
  it('takes the middle value per coordinate, averaging the middle two for even n (worked example)', () => {
    // coordinate 0: 1 2 4 10 → (2+4)/2 = 3; coordinate 1: -1 0 4 5 → 2; coordinate 2: ties 3 3 3 100 → 3
    const even = clients([
      [1, 5, 3],
      [2, -1, 3],
      [10, 0, 3],
      [4, 4, 100],
    ]);
    expect([...median()(even).update]).toEqual([3, 2, 3]);
    // odd n: coordinate 0: 1 2 4 7 10 → 4; coordinate 1: -1 0 4 5 5 → 4; coordinate 2: 3 3 3 3 100 → 3
    const odd = clients([
      [1, 5, 3],
      [2, -1, 3],
      [10, 0, 3],
      [4, 4, 100],
      [7, 5, 3],
    ]);
    const result = median()(odd);
    expect([...result.update]).toEqual([4, 4, 3]);
    expect(result.accepted).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(result.scores.d).toBeCloseTo(97, 5);
  });

  it('with one client returns it, and with f checks n ≥ 2f + 1', () => {
    expect([...median()(clients([[3, -2]])).update]).toEqual([3, -2]);
    expect(() => median({ f: 2 })(clients([[1], [2], [3], [4]]))).toThrow(
      /needs n ≥ 2f \+ 1.*n = 4 with f = 2/,
    );
  });
});

describe('trimmedMean', () => {
  it('drops f values at each end per coordinate (worked example)', () => {
    // coordinate 0: 1 2 3 4 100 → (2+3+4)/3 = 3; coordinate 1: ties 5 5 5 5 0 → (5+5+5)/3 = 5
    const updates = clients([
      [100, 5],
      [2, 5],
      [4, 0],
      [1, 5],
      [3, 5],
    ]);
    expect([...trimmedMean({ f: 1 })(updates).update]).toEqual([3, 5]);
    // f = 2 leaves only the median
    expect([...trimmedMean({ f: 2 })(updates).update]).toEqual([3, 5]);
  });

  it('is the plain mean with f = 0', () => {
    const updates = clients([
      [1, 2],
      [3, 6],
      [8, 1],
    ]);
    expect([...trimmedMean({ f: 0 })(updates).update]).toEqual([4, 3]);
  });
});

/** Honest clients around a centre and f Byzantine clients with arbitrary, huge values. */
function attacked(
  seed: number,
  honest: number,
  f: number,
  d: number,
): { updates: ClientUpdate[]; honest: ClientUpdate[] } {
  const rng = new Rng(seed);
  const good = gaussianClients(rng, honest, gaussianVector(rng, d), 0.5);
  const bad = Array.from({ length: f }, (_, i) => ({
    id: `x${i}`,
    update: Float32Array.from({ length: d }, () => (rng.float() < 0.5 ? -1 : 1) * 1e6 * rng.float()),
  }));
  return { updates: [...good, ...bad], honest: good };
}

function expectWithinHonestRange(result: Float32Array, honest: readonly ClientUpdate[]): void {
  for (let j = 0; j < result.length; j++) {
    const values = honest.map((u) => u.update[j]);
    expect(result[j]).toBeGreaterThanOrEqual(Math.min(...values));
    expect(result[j]).toBeLessThanOrEqual(Math.max(...values));
  }
}

describe('robustness of the coordinate-wise rules', () => {
  it('keeps every coordinate of the median within the honest values when f < n/2', () => {
    for (const seed of SEEDS) {
      for (const [honest, f] of [
        [6, 5],
        [7, 5],
        [20, 3],
      ]) {
        const { updates, honest: good } = attacked(seed, honest, f, 64);
        expectWithinHonestRange(median()(updates).update, good);
      }
    }
  });

  it('keeps every coordinate of the trimmed mean within the honest values when it trims ≥ the attackers', () => {
    for (const seed of SEEDS) {
      const { updates, honest } = attacked(seed, 9, 4, 64);
      expectWithinHonestRange(trimmedMean({ f: 4 })(updates).update, honest);
    }
  });
});
