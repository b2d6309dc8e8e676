import { describe, expect, it } from 'vitest';
import { flTrust } from '../../../src/defenses/federated/fltrust.js';
import { clients } from './fixtures.js';

describe('flTrust', () => {
  it('weights rescaled updates by ReLU(cosine) to the server update (worked example)', () => {
    // g₀ = (1, 0). a = (2, 0): cos 1, rescaled (1, 0). b = (1, 1): cos 1/√2, rescaled (1/√2, 1/√2).
    // c = (−5, 0): cos −1, trust 0. Result = (1·(1,0) + (1/√2)·(1/√2, 1/√2)) / (1 + 1/√2).
    const updates = clients([
      [2, 0],
      [1, 1],
      [-5, 0],
    ]);
    const result = flTrust({ serverUpdate: Float32Array.of(1, 0) })(updates);
    const total = 1 + Math.SQRT1_2;
    expect(result.update[0]).toBeCloseTo(1.5 / total, 6);
    expect(result.update[1]).toBeCloseTo(0.5 / total, 6);
    expect(result.accepted).toEqual(['a', 'b']);
    expect(result.scores.a).toBeCloseTo(0, 6);
    expect(result.scores.b).toBeCloseTo(1 - Math.SQRT1_2, 6);
    expect(result.scores.c).toBeCloseTo(2, 6);
  });

  it('returns the zero update when no client points the server’s way, and ignores zero updates', () => {
    const result = flTrust({ serverUpdate: Float32Array.of(1, 1) })(
      clients([
        [-1, -1],
        [0, 0],
      ]),
    );
    expect([...result.update]).toEqual([0, 0]);
    expect(result.accepted).toEqual([]);
    expect(result.scores.b).toBe(1);
  });

  it('checks the server update', () => {
    expect(() => flTrust({ serverUpdate: new Float32Array(2) })).toThrow(/serverUpdate is all zeros/);
    expect(() => flTrust({ serverUpdate: Float32Array.of(1, Number.NaN) })).toThrow(
      /serverUpdate\[1\] is NaN/,
    );
    expect(() => flTrust({ serverUpdate: Float32Array.of(1) })(clients([[1, 2]]))).toThrow(
      /serverUpdate has 1 values but the updates have 2/,
    );
    expect(() => flTrust({} as never)).toThrow(/fltrust: option "serverUpdate": must be a Float32Array/);
  });
});
