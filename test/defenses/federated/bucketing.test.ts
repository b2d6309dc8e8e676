import { describe, expect, it } from 'vitest';
import { bucketing } from '../../../src/defenses/federated/bucketing.js';
import { median } from '../../../src/defenses/federated/coordinate-wise.js';
import { fedAvg } from '../../../src/defenses/federated/fedavg.js';
import { krum } from '../../../src/defenses/federated/krum.js';
import { Rng } from '../../../src/engine/rng.js';
import { clients, gaussianClients, gaussianVector, SEEDS } from './fixtures.js';

describe('bucketing', () => {
  it('puts every client in exactly one bucket of s, seeded by seed and round', () => {
    const updates = gaussianClients(new Rng(1), 7, [0, 0], 1);
    const rule = bucketing({ s: 3 }, median());
    const buckets = (seed: number, round: number): string[][] =>
      rule(updates, { seed, round }).info?.buckets as string[][];
    const b = buckets(5, 1);
    expect(b.map((members) => members.length)).toEqual([3, 3, 1]);
    expect(b.flat().sort()).toEqual(updates.map((u) => u.id).sort());
    expect(buckets(5, 1)).toEqual(b);
    expect([buckets(5, 2), buckets(6, 1)]).not.toContainEqual(b);
  });

  it('averages within buckets before the inner rule (worked example)', () => {
    // s = 2 over 4 clients: two bucket means; the median of two values is their mean, so the result is the
    // overall mean whatever the buckets are.
    const result = bucketing({ s: 2 }, median())(clients([[0], [2], [4], [10]]), { seed: 3 });
    expect([...result.update]).toEqual([4]);
    expect(result.rule).toBe('bucketing(median)');
    expect(result.accepted.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('with s = 1 is the inner rule itself', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const updates = gaussianClients(rng, 9, gaussianVector(rng, 6), 1);
      const plain = krum({ f: 2 })(updates);
      const bucketed = bucketing({ s: 1 }, krum({ f: 2 }))(updates, { seed });
      expect(bucketed.update).toEqual(plain.update);
      expect(bucketed.accepted).toEqual(plain.accepted);
      for (const u of updates) expect(bucketed.scores[u.id]).toBeCloseTo(plain.scores[u.id], 4);
    }
  });

  it('of FedAvg is FedAvg, weights included', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const updates = gaussianClients(rng, 10, gaussianVector(rng, 5), 1).map((u) => ({
        ...u,
        weight: 1 + rng.int(5),
      }));
      const expected = fedAvg()(updates).update;
      const got = bucketing({ s: 3 }, fedAvg())(updates, { seed }).update;
      expected.forEach((v, j) => {
        expect(got[j]).toBeCloseTo(v, 5);
      });
    }
  });

  it('gives each client its bucket’s score and keeps a planted outlier’s bucket out of Krum', () => {
    const rng = new Rng(9);
    const honest = gaussianClients(rng, 11, gaussianVector(rng, 8), 1);
    const updates = [...honest, { id: 'x', update: Float32Array.from({ length: 8 }, () => 1e4) }];
    const result = bucketing({ s: 2 }, krum({ f: 1 }))(updates, { seed: 4 });
    const buckets = result.info?.buckets as string[][];
    const withX = buckets.find((members) => members.includes('x'));
    expect(withX).toBeDefined();
    for (const id of withX ?? []) expect(result.accepted).not.toContain(id);
    for (const members of buckets)
      for (const id of members) expect(result.scores[id]).toBe(result.scores[members[0]]);
  });

  it('explains an inner precondition failure in terms of buckets', () => {
    const updates = gaussianClients(new Rng(2), 8, [0], 1);
    expect(() => bucketing({ s: 2 }, krum({ f: 1 }))(updates)).toThrow(
      'bucketing with s = 2 turned 8 clients into 4 buckets; krum needs n ≥ 2f + 3 clients: got n = 4 with f = 1 (needs n ≥ 5)',
    );
  });
});
