import { describe, expect, it } from 'vitest';
import { krum, multiKrum } from '../../../src/defenses/federated/krum.js';
import { Rng } from '../../../src/engine/rng.js';
import { clients, gaussianClients, gaussianVector, SEEDS, shuffled } from './fixtures.js';

// Points 0, 1, 2, 3, 100 on a line (second coordinate 0), f = 1: each score sums the n − f − 2 = 2 smallest
// squared distances to the others: a = 1 + 4 = 5, b = 1 + 1 = 2, c = 1 + 1 = 2, d = 1 + 4 = 5,
// e = 97² + 98² = 19013.
const line = (): ReturnType<typeof clients> =>
  clients([
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 0],
    [100, 0],
  ]);

describe('krum', () => {
  it('scores by the nearest n − f − 2 neighbours and picks the lowest, ties by client id (worked example)', () => {
    const result = krum({ f: 1 })(line());
    // Distances come from a float32 Gram matrix: exact for these small integers up to float32 rounding.
    for (const [id, score] of Object.entries({ a: 5, b: 2, c: 2, d: 5, e: 19013 })) {
      expect(result.scores[id]).toBeCloseTo(score, 2);
    }
    expect(result.accepted).toEqual(['b']);
    expect([...result.update]).toEqual([1, 0]);
  });

  it('breaks ties by id whatever the client order', () => {
    for (const seed of SEEDS) expect(krum({ f: 1 })(shuffled(line(), seed)).accepted).toEqual(['b']);
  });

  it('with f = 0 scores by the n − 2 nearest neighbours', () => {
    // 3 clients, 1 neighbour each: a = 1, b = 1, c = 1 → 'a' by id; 4 clients: a = 1 + 4, b = 1 + 1 ...
    expect(krum({ f: 0 })(clients([[0], [1], [2]])).accepted).toEqual(['a']);
    expect(krum({ f: 0 })(clients([[0], [1], [2], [10]])).accepted).toEqual(['b']);
  });

  it('returns a copy of the chosen update', () => {
    const updates = line();
    const result = krum({ f: 1 })(updates);
    expect(result.update).not.toBe(updates[1].update);
  });

  it('never picks a planted far-away outlier', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const centre = gaussianVector(rng, 32);
      const honest = gaussianClients(rng, 12, centre, 1);
      const outliers = gaussianClients(rng, 4, gaussianVector(rng, 32, 50), 1, 'x');
      const updates = shuffled([...honest, ...outliers], seed);
      expect(krum({ f: 4 })(updates).accepted[0]).toMatch(/^h/);
      const multi = multiKrum({ f: 4 })(updates);
      expect(multi.accepted).toHaveLength(12);
      expect(multi.accepted.every((id) => id.startsWith('h'))).toBe(true);
    }
  });
});

describe('multiKrum', () => {
  it('averages the m best-scored updates (worked example)', () => {
    // default m = n − f = 4: b, c (2) then a, d (5) → mean of 1, 2, 0, 3 = 1.5
    const result = multiKrum({ f: 1 })(line());
    expect(result.accepted).toEqual(['b', 'c', 'a', 'd']);
    expect([...result.update]).toEqual([1.5, 0]);
    expect([...multiKrum({ f: 1, m: 2 })(line()).update]).toEqual([1.5, 0]);
    expect([...multiKrum({ f: 1, m: 1 })(line()).update]).toEqual([1, 0]);
  });

  it('rejects m > n', () => {
    expect(() => multiKrum({ f: 1, m: 6 })(line())).toThrow(/cannot keep m = 6 of n = 5/);
  });
});
