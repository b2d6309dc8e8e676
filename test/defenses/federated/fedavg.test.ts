import { describe, expect, it } from 'vitest';
import { fedAvg } from '../../../src/defenses/federated/fedavg.js';
import { clients } from './fixtures.js';

describe('fedAvg', () => {
  it('is the weighted mean (worked example)', () => {
    const updates = clients([
      [1, 0],
      [3, 4],
      [0, 8],
    ]);
    updates[0].weight = 2;
    updates[1].weight = 1;
    updates[2].weight = 1;
    // (2·(1,0) + (3,4) + (0,8)) / 4 = (5/4, 3)
    const result = fedAvg()(updates);
    expect([...result.update]).toEqual([1.25, 3]);
    expect(result.accepted).toEqual(['a', 'b', 'c']);
    expect(result.scores.a).toBeCloseTo(Math.hypot(0.25, 3), 6);
    expect(result.scores.c).toBeCloseTo(Math.hypot(1.25, 5), 6);
  });

  it('leaves zero-weight clients out and rejects an all-zero round', () => {
    const updates = clients([[2], [100]]);
    updates[1].weight = 0;
    const result = fedAvg()(updates);
    expect([...result.update]).toEqual([2]);
    expect(result.accepted).toEqual(['a']);
    updates[0].weight = 0;
    expect(() => fedAvg()(updates)).toThrow(/client weights sum to 0/);
  });
});
