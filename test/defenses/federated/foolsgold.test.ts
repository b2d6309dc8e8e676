import { describe, expect, it } from 'vitest';
import {
  emptyFoolsGoldHistory,
  foolsGold,
  foolsGoldRound,
} from '../../../src/defenses/federated/foolsgold.js';
import type { AggregateResult, ClientUpdate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';
import { clients, gaussianVector, SEEDS } from './fixtures.js';

describe('foolsGoldRound', () => {
  it('gives identical sybils weight 0 and an unlike client weight 1 (worked example)', () => {
    // cos(a, b) = 1, c ⟂ both. max similarity a = b = 1, c = 0; α = 1 − max = 0, 0, 1; c → 0.99 → logit > 1 →
    // 1.
    const { result } = foolsGoldRound(
      clients([
        [1, 0, 0],
        [1, 0, 0],
        [0, 1, 0],
      ]),
      emptyFoolsGoldHistory,
    );
    expect([...result.update]).toEqual([0, 1, 0]);
    expect({ ...result.scores }).toEqual({ a: 1, b: 1, c: 0 });
    expect(result.accepted).toEqual(['c']);
  });

  it('pardons and applies the logit (worked example)', () => {
    // a = (1, 0), b at 60° from a, c = −a. cos: ab = .5, ac = −1, bc = −.5; max: a = b = .5, c = 0
    // (diagonal).
    // α = .5, .5, 1 → scaled .5, .5, .99 → logit ln(1) + .5 = .5 for a and b, c clipped to 1.
    // Result = (.5·a + .5·b + c) / 2 = (−0.125, √3/8).
    const updates = clients([
      [1, 0],
      [0.5, Math.sqrt(3) / 2],
      [-1, 0],
    ]);
    const { result } = foolsGoldRound(updates, emptyFoolsGoldHistory);
    expect(result.update[0]).toBeCloseTo(-0.125, 6);
    expect(result.update[1]).toBeCloseTo(Math.sqrt(3) / 8, 6);
    expect(result.scores.a).toBeCloseTo(0.5, 6);
    expect(result.scores.c).toBeCloseTo(0, 6);
  });

  it('accumulates history without mutating the old one, and the stateful wrapper agrees', () => {
    const first = clients([
      [1, 0],
      [0, 1],
    ]);
    const second = clients([
      [0, 1],
      [1, 0],
    ]);
    const one = foolsGoldRound(first, emptyFoolsGoldHistory);
    const two = foolsGoldRound(second, one.history);
    expect([...(one.history.sums.get('a') ?? [])]).toEqual([1, 0]);
    expect([...(two.history.sums.get('a') ?? [])]).toEqual([1, 1]);
    // after two rounds both clients have summed to (1, 1): they look like sybils of each other
    expect(two.result.accepted).toEqual([]);
    expect([...two.result.update]).toEqual([0, 0]);
    const rule = foolsGold();
    rule(first);
    expect(rule(second)).toEqual(two.result);
    expect([...(rule.history.sums.get('b') ?? [])]).toEqual([1, 1]);
  });

  it('singles out sybils that push one direction among diverse honest clients, over rounds', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const d = 40;
      const goal = gaussianVector(rng, d);
      const rule = foolsGold();
      let last: AggregateResult | undefined;
      for (let round = 0; round < 5; round++) {
        const honest: ClientUpdate[] = Array.from({ length: 8 }, (_, i) => ({
          id: `h${i}`,
          update: gaussianVector(rng, d),
        }));
        const sybils: ClientUpdate[] = Array.from({ length: 3 }, (_, i) => ({
          id: `s${i}`,
          update: goal.map((g) => g + 0.05 * rng.normal()),
        }));
        last = rule([...honest, ...sybils]);
      }
      const { scores, accepted } = last!;
      expect(accepted.some((id) => id.startsWith('s'))).toBe(false);
      for (let i = 0; i < 3; i++) expect(scores[`s${i}`]).toBe(1);
      expect(Math.max(...Array.from({ length: 8 }, (_, i) => scores[`h${i}`]))).toBeLessThan(0.5);
    }
  });

  it('rejects a history of another length', () => {
    const { history } = foolsGoldRound(clients([[1, 0]]), emptyFoolsGoldHistory);
    expect(() => foolsGoldRound(clients([[1, 0, 0]]), history)).toThrow(
      /client "a" has 3 values but its history has 2/,
    );
  });
});
