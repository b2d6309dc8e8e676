import { describe, expect, it } from 'vitest';
import { median } from '../../../src/defenses/federated/coordinate-wise.js';
import { geometricMedian } from '../../../src/defenses/federated/geometric-median.js';
import { multiKrum } from '../../../src/defenses/federated/krum.js';
import {
  createReputation,
  quarantinedClients,
  ReputationTracker,
  robustZScores,
  updateReputation,
} from '../../../src/defenses/federated/reputation.js';
import type { Aggregate, ClientUpdate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';
import { gaussianClients, gaussianVector, SEEDS } from './fixtures.js';

describe('robustZScores', () => {
  it('centres on the median and scales by 1.4826·MAD, clipped to ±maxZ (worked example)', () => {
    // median 3, deviations 2 1 0 1 97 → MAD 1
    const z = robustZScores({ a: 1, b: 2, c: 3, d: 4, e: 100 }, 6);
    expect(z.a).toBeCloseTo(-2 / 1.4826, 6);
    expect(z.c).toBe(0);
    expect(z.e).toBe(6);
  });

  it('falls back to the mean absolute deviation when MAD is 0, and to 0 when all scores agree', () => {
    // median 0, MAD 0, mean absolute deviation 1/4 → d = 1 / (1.2533/4)
    expect(robustZScores({ a: 0, b: 0, c: 0, d: 1 }, 10).d).toBeCloseTo(4 / 1.2533, 6);
    expect(robustZScores({ a: 2, b: 2 }, 6)).toEqual({ a: 0, b: 0 });
  });

  it('rejects a non-finite score', () => {
    expect(() => robustZScores({ a: 1, b: Number.NaN }, 6)).toThrow(/client "b" has suspicion NaN/);
  });
});

// x's z-score is (1000 − 2.5) / 1.4826 ≈ 673, so x is always at the clip; a, b, c stay below 1.1 in absolute value.
const round = { rule: 'test', scores: { a: 1, b: 2, c: 3, x: 1000 } };

describe('updateReputation', () => {
  it('averages exponentially and quarantines at the threshold (worked example)', () => {
    // λ = 0.2, z clipped to 6 every round: 1.2, 2.16, 2.928, 3.5424 → crosses 3 in round 4.
    let state = createReputation({ maxZ: 6, threshold: 3 });
    const expected = [1.2, 2.16, 2.928, 3.5424];
    for (let r = 1; r <= 4; r++) {
      state = updateReputation(state, round, r);
      expect(state.clients.x.score).toBeCloseTo(expected[r - 1], 9);
      expect(state.clients.x.rounds).toBe(r);
    }
    expect(state.clients.x.quarantine).toEqual({ rule: 'test', round: 4, score: expect.closeTo(3.5424, 9) });
    expect(quarantinedClients(state)).toEqual(['x']);
  });

  it('by default lets a blatant outlier in after minRounds = 3 rounds (worked example)', () => {
    // λ = 0.2, z clipped to 15: 3, 5.4 (too early: 2 rounds), 7.32 ≥ 3.5 in the third round.
    let state = createReputation();
    const expected = [3, 5.4, 7.32];
    for (let r = 1; r <= 3; r++) {
      state = updateReputation(state, round, r);
      expect(state.clients.x.score).toBeCloseTo(expected[r - 1], 9);
      expect(state.clients.x.quarantine?.round).toBe(r === 3 ? 3 : undefined);
    }
    expect(state.options).toEqual({ decay: 0.2, threshold: 3.5, minRounds: 3, maxZ: 15 });
  });

  it('waits for minRounds, keeps quarantine sticky and records the first crossing', () => {
    let state = createReputation({ threshold: 1, minRounds: 3 });
    state = updateReputation(state, round, 1);
    state = updateReputation(state, round, 2);
    expect(quarantinedClients(state)).toEqual([]);
    state = updateReputation(state, round, 3);
    expect(state.clients.x.quarantine?.round).toBe(3);
    for (let r = 4; r < 20; r++)
      state = updateReputation(state, { rule: 'later', scores: { a: 5, b: 5, x: 0 } }, r);
    expect(state.clients.x.quarantine).toMatchObject({ rule: 'test', round: 3 });
    expect(state.clients.x.score).toBeLessThan(0);
  });

  it('returns a new state and leaves the old one alone', () => {
    const start = createReputation();
    const snapshot = structuredClone({ ...start, clients: { ...start.clients } });
    const next = updateReputation(start, round, 0);
    expect({ ...start, clients: { ...start.clients } }).toEqual(snapshot);
    expect(next).not.toBe(start);
    expect(Object.keys(next.clients)).toHaveLength(4);
  });

  it('requires increasing whole rounds and valid options', () => {
    const state = updateReputation(createReputation(), round, 5);
    expect(() => updateReputation(state, round, 5)).toThrow(/round must be a whole number after 5, got 5/);
    expect(() => updateReputation(state, round, 6.5)).toThrow(/got 6.5/);
    expect(() => createReputation({ decay: 2 })).toThrow(/reputation: option "decay": must be in \(0, 1\]/);
  });
});

/** Each round: honest clients around a fresh direction; attackers send it flipped and boosted. */
function attackRound(rng: Rng, honest: number, attackers: number, d: number): ClientUpdate[] {
  const direction = gaussianVector(rng, d);
  const flipped = direction.map((v) => -3 * v);
  return [...gaussianClients(rng, honest, direction, 1), ...gaussianClients(rng, attackers, flipped, 1, 'x')];
}

describe('reputation over a synthetic federated run', () => {
  it('quarantines the always-malicious clients and no honest one, whichever rules score the rounds', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      // Rules with different score scales take turns; normalisation makes their scores comparable.
      const rules: Aggregate[] = [multiKrum({ f: 4 }), geometricMedian(), median()];
      const tracker = new ReputationTracker();
      const newly: string[][] = [];
      for (let r = 0; r < 12; r++) {
        const result = rules[r % rules.length](attackRound(rng, 20, 4, 32), { seed, round: r });
        newly.push(tracker.observe(result, r));
      }
      expect(quarantinedClients(tracker.state).sort()).toEqual(['x0', 'x1', 'x2', 'x3']);
      expect(newly.flat().sort()).toEqual(['x0', 'x1', 'x2', 'x3']);
      expect(tracker.isQuarantined('x2')).toBe(true);
      expect(tracker.isQuarantined('h0')).toBe(false);
      const worstHonest = Math.max(
        ...Object.entries(tracker.state.clients)
          .filter(([id]) => id.startsWith('h'))
          .map(([, s]) => s.score),
      );
      expect(worstHonest).toBeLessThan(1.5);
    }
  });
});
