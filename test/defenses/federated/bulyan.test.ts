import { describe, expect, it } from 'vitest';
import { bulyan } from '../../../src/defenses/federated/bulyan.js';
import type { ClientUpdate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';
import { clients, euclidean, gaussianClients, gaussianVector, SEEDS } from './fixtures.js';

/** Bulyan written out directly from the paper with plain arrays, as in Flower's aggregate_bulyan. */
function referenceBulyan(updates: readonly ClientUpdate[], f: number): number[] {
  const n = updates.length;
  const x = updates.map((u) => [...u.update]);
  const sq = (a: number[], b: number[]): number => a.reduce((s, v, j) => s + (v - b[j]) ** 2, 0);
  let left = x.map((_, i) => i);
  const chosen: number[] = [];
  while (chosen.length < n - 2 * f) {
    const k = Math.min(left.length - 1, Math.max(1, left.length - f - 2));
    const score = (i: number): number =>
      left
        .filter((j) => j !== i)
        .map((j) => sq(x[i], x[j]))
        .sort((a, b) => a - b)
        .slice(0, k)
        .reduce((s, v) => s + v, 0);
    const best = [...left].sort((a, b) => score(a) - score(b) || (updates[a].id < updates[b].id ? -1 : 1))[0];
    chosen.push(best);
    left = left.filter((i) => i !== best);
  }
  const beta = n - 4 * f;
  return x[0].map((_, j) => {
    const values = chosen.map((i) => x[i][j]).sort((a, b) => a - b);
    const m = values.length;
    const med = m % 2 === 1 ? values[(m - 1) / 2] : (values[m / 2 - 1] + values[m / 2]) / 2;
    const closest = [...values].sort((a, b) => Math.abs(a - med) - Math.abs(b - med)).slice(0, beta);
    return closest.reduce((s, v) => s + v, 0) / beta;
  });
}

describe('bulyan', () => {
  it('selects by repeated Krum (worked example on a line)', () => {
    // f = 1, θ = 5, β = 3. Step 1 (4 neighbours): c = 1+1+4+4 = 10 wins. Step 2 (3 neighbours): b = d = 14 →
    // b.
    // Step 3 (2): d = 1+9 = 10. Step 4 (1): a = e = 16 → a. Step 5 (1): e = f = 46² → e.
    // Selected values 2 1 3 0 4: median 2, the 3 closest are 1 2 3 → 2.
    const result = bulyan({ f: 1 })(
      clients([[0], [1], [2], [3], [4], [50], [-50]], ['a', 'b', 'c', 'd', 'e', 'f', 'g']),
    );
    expect(result.accepted).toEqual(['c', 'b', 'd', 'a', 'e']);
    expect([...result.update]).toEqual([2]);
    expect(result.scores.c).toBeCloseTo(10, 4);
    expect(result.scores.g).toBeCloseTo(2500 + 51 ** 2 + 52 ** 2 + 53 ** 2, 2);
  });

  it('averages the β values closest to each coordinate median (worked example)', () => {
    // The cluster c1…c5 is selected; coordinate 0: 0 .2 .5 .9 1 → median .5, closest .5 .2 .9 → 1.6/3;
    // coordinate 1: 0 .2 .45 .8 1 → median .45, closest .45 .2 .8 → 1.45/3.
    const updates = clients(
      [
        [0, 0],
        [1, 0.2],
        [0.2, 1],
        [0.9, 0.8],
        [0.5, 0.45],
        [100, 100],
        [-100, 100],
      ],
      ['c1', 'c2', 'c3', 'c4', 'c5', 'z1', 'z2'],
    );
    const result = bulyan({ f: 1 })(updates);
    expect([...result.accepted].sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(result.update[0]).toBeCloseTo(1.6 / 3, 6);
    expect(result.update[1]).toBeCloseTo(1.45 / 3, 6);
  });

  it('matches the direct definition on random rounds with planted outliers', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      for (const f of [0, 1, 2]) {
        const n = 4 * f + 3 + rng.int(4);
        const honest = gaussianClients(rng, n - f, gaussianVector(rng, 24), 1);
        const target = gaussianVector(rng, 24, 20);
        const outliers = gaussianClients(rng, f, target, 1, 'x');
        const updates = [...honest, ...outliers];
        const result = bulyan({ f })(updates);
        const expected = referenceBulyan(updates, f);
        expected.forEach((v, j) => {
          expect(result.update[j]).toBeCloseTo(v, 5);
        });
        // Colluding outliers may enter the selection set late, but the coordinate phase keeps them out.
        const honestMean = honest[0].update.map(
          (_, j) => honest.reduce((s, u) => s + u.update[j], 0) / honest.length,
        );
        expect(euclidean(result.update, honestMean)).toBeLessThan(euclidean(target, honestMean) / 4);
      }
    }
  });
});
