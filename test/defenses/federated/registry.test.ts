import { describe, expect, it } from 'vitest';
import {
  aggregatorByName,
  aggregatorNames,
  aggregators,
  defaultAggregator,
  recommendedAggregator,
} from '../../../src/defenses/federated/registry.js';
import { Rng } from '../../../src/engine/rng.js';
import { euclidean, gaussianClients, gaussianVector, SEEDS } from './fixtures.js';

describe('aggregatorByName', () => {
  it('builds every rule by name, and its result names the rule', () => {
    const updates = gaussianClients(new Rng(3), 11, gaussianVector(new Rng(4), 4), 1);
    const options: Record<string, Record<string, unknown>> = {
      'trimmed-mean': { f: 2 },
      krum: { f: 2 },
      'multi-krum': { f: 2 },
      bulyan: { f: 2 },
      fltrust: { serverUpdate: Float32Array.of(1, 1, 1, 1) },
    };
    for (const name of aggregatorNames) {
      const result = aggregatorByName(name, options[name])(updates);
      expect(result.rule).toBe(name);
      expect(Object.keys(result.scores)).toHaveLength(11);
      expect(aggregators[name].reference).toMatch(/\d{4}$/);
    }
  });

  it('puts bucketing in front when bucketSize is given and ignores undefined options', () => {
    const updates = gaussianClients(new Rng(5), 10, [0, 0], 1);
    const rule = aggregatorByName('krum', { f: 1, bucketSize: 2, m: undefined });
    expect(rule(updates).rule).toBe('bucketing(krum)');
  });

  it('rejects unknown names and options with InputError', () => {
    expect(() => aggregatorByName('kurm')).toThrow(/unknown aggregator "kurm"; choose one of fedavg, median/);
    expect(() => aggregatorByName('krum', { f: 1, beta: 2 })).toThrow(/krum: Unrecognized key: "beta"/);
    expect(() => aggregatorByName('krum', { f: 1, bucketSize: 0 })).toThrow(/option "bucketSize"/);
    expect(() => aggregatorByName('krum')).toThrow(/krum: option "f"/);
  });

  it('recommends a rule that a planted group of far-away attackers cannot drag away', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const centre = gaussianVector(rng, 16);
      const honest = gaussianClients(rng, 16, centre, 1);
      const attackers = gaussianClients(rng, 4, gaussianVector(rng, 16, 1e4), 1, 'x');
      const result = defaultAggregator()([...honest, ...attackers], { seed, round: 0 });
      // Each honest update lies about √16 = 4 from the centre and FedAvg would land about 8,000 away; the
      // recommended rule leaves the attackers out and lands near the honest mean (measured: 0.9 to 1.5).
      expect(result.accepted.filter((id) => id.startsWith('x'))).toEqual([]);
      expect(euclidean(result.update, centre)).toBeLessThan(2);
    }
  });

  it('recommends the screened mean', () => {
    expect(recommendedAggregator).toEqual({ name: 'screened-mean' });
    const updates = gaussianClients(new Rng(6), 6, [1, 2, 3], 0.1);
    const result = defaultAggregator()(updates, { seed: 1 });
    expect(result.rule).toBe('screened-mean');
    result.update.forEach((v, j) => {
      expect(v).toBeCloseTo(j + 1, 0);
    });
  });
});
