import { describe, expect, it } from 'vitest';
import { cleanInputSpace } from '../../../src/defenses/federated/input-space.js';
import { normClipping } from '../../../src/defenses/federated/norm-clipping.js';
import { type ScreenedOut, screenedMean } from '../../../src/defenses/federated/screened-mean.js';
import type { ClientUpdate } from '../../../src/defenses/federated/types.js';
import { Rng } from '../../../src/engine/rng.js';
import { clients, gaussianClients, gaussianVector, SEEDS } from './fixtures.js';

function excluded(result: ReturnType<ReturnType<typeof screenedMean>>): ScreenedOut[] {
  return (result.info as { excluded: ScreenedOut[] }).excluded;
}

describe('screenedMean', () => {
  it('leaves out the client pointing against the others and averages the clipped rest (worked example)', () => {
    // Norms 1, √1.01, √1.01, 0.9, 1 → bound 1: b and c are scaled by 1/√1.01. The clipped mean points along
    // x, so the cosine distances to it are 0, δ, δ, 0, 2 with δ = 1 − 1/√1.01: median δ, MAD δ, and e's
    // dissent is z = (2 − δ) / (1.4826·δ) ≈ 271. Every other signal leaves a to d below 1.
    const updates = clients([
      [1, 0],
      [1, 0.1],
      [1, -0.1],
      [0.9, 0],
      [-1, 0],
    ]);
    const delta = 1 - 1 / Math.sqrt(1.01);
    const result = screenedMean({ f: 1 })(updates);
    expect(result.accepted).toEqual(['a', 'b', 'c', 'd']);
    expect(result.update[0]).toBeCloseTo((1 + 2 / Math.sqrt(1.01) + 0.9) / 4, 6);
    expect(result.update[1]).toBeCloseTo(0, 6);
    expect(excluded(result)).toEqual([
      { id: 'e', signal: 'dissent', z: expect.closeTo((2 - delta) / (1.4826 * delta), 2) },
    ]);
    for (const id of ['a', 'b', 'c', 'd']) expect(result.scores[id]).toBeLessThan(1);
    expect(result.info).toMatchObject({ bound: 1, f: 1, threshold: 3 });
  });

  it('with nothing to leave out is the mean clipped to the median norm (norm clipping)', () => {
    for (const seed of SEEDS) {
      const updates = gaussianClients(new Rng(seed), 9, gaussianVector(new Rng(seed + 1), 16), 1);
      const screened = screenedMean({ threshold: 1e6 })(updates);
      const clipped = normClipping()(updates);
      expect(screened.accepted).toHaveLength(9);
      screened.update.forEach((v, j) => {
        expect(v).toBeCloseTo(clipped.update[j], 5);
      });
    }
  });

  it('leaves out a boosted client without being told f (magnitude)', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const honest = gaussianClients(rng, 11, gaussianVector(rng, 32, 0.3), 1);
      const boosted = { id: 'x', update: honest[0].update.map((v) => 10 * v) };
      const result = screenedMean()([...honest, boosted]);
      expect(result.accepted).not.toContain('x');
      expect(excluded(result).find((e) => e.id === 'x')?.signal).toBe('magnitude');
    }
  });

  it('leaves out sybils that send one update, however central (similarity)', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const centre = gaussianVector(rng, 64, 0.2);
      const honest = gaussianClients(rng, 12, centre, 1);
      // Right at the honest centre, as A Little Is Enough or Min-Max attackers aim to be.
      const sybils = ['x0', 'x1', 'x2'].map((id) => ({ id, update: Float32Array.from(centre) }));
      const result = screenedMean()([...honest, ...sybils]);
      expect(result.accepted.filter((id) => id.startsWith('x'))).toEqual([]);
      for (const e of excluded(result).filter((e) => e.id.startsWith('x')))
        expect(e.signal).toBe('similarity');
    }
  });

  it('with the server momentum, leaves out a client undoing past progress (reversal)', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      // This round the honest clients move along e₀ (plus noise off e₁); training so far went along e₁,
      // which they leave exactly alone. The attacker looks like them but pulls back a little along e₁.
      const honest = gaussianClients(rng, 12, [3, 0, 0, 0, 0, 0, 0, 0], 0.3).map((u) => ({
        ...u,
        update: u.update.map((v, j) => (j === 1 ? 0 : v)),
      }));
      const attacker = { id: 'x', update: Float32Array.of(3, -0.3, 0, 0, 0, 0, 0, 0) };
      const updates: ClientUpdate[] = [...honest, attacker];
      expect(screenedMean()(updates).accepted).toContain('x');
      const result = screenedMean()(updates, { momentum: Float32Array.of(0, 1, 0, 0, 0, 0, 0, 0) });
      // Honest reversals are all exactly 1, so the scale is the mean absolute deviation: z = 13 / 1.2533.
      expect(excluded(result).find((e) => e.id === 'x')).toEqual({
        id: 'x',
        signal: 'reversal',
        z: expect.closeTo(13 / 1.2533, 2),
      });
    }
  });

  it('with the clean input space, leaves out clients whose first layers share a trigger (off-manifold)', () => {
    // Inputs as images have them: 5 latent factors plus a mean and a little noise, and 4 border features that
    // are always −0.8 (the standardised empty background). 20 non-IID clients (each its own factor shift)
    // train a 3-unit layer on 60 samples, gradient [x, 1] ⊗ δ per sample; 4 backdoor clients set the border to 1 on half
    // their samples and push those towards unit 0. Their residuals outside the span of 20 clean root
    // samples all hold the trigger; honest residuals are each client's own noise.
    const [p, units, border, factors] = [30, 3, 4, 5];
    const layer = { weightOffset: 0, inputs: p, units, biasOffset: p * units };
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const loadings = gaussianVector(rng, p * factors);
      const sample = (shift: Float32Array) => {
        const z = shift.map((s) => s + rng.normal());
        return Float32Array.from({ length: p }, (_, j) => {
          if (j >= p - border) return -0.8;
          let v = 0.5 + 0.2 * rng.normal();
          for (let f = 0; f < factors; f++) v += loadings[j * factors + f] * z[f];
          return v;
        });
      };
      const update = (backdoor: boolean) => {
        const shift = gaussianVector(rng, factors);
        const u = new Float32Array(p * units + units);
        for (let i = 0; i < 60; i++) {
          const x = sample(shift);
          const triggered = backdoor && i % 2 === 0;
          if (triggered) x.fill(1, p - border);
          for (let k = 0; k < units; k++) {
            const delta = (triggered ? (k === 0 ? 1 : -0.5) : 0) + rng.normal();
            for (let j = 0; j < p; j++) u[j * units + k] += (x[j] * delta) / 60;
            u[p * units + k] += delta / 60;
          }
        }
        return u;
      };
      const root = new Float32Array(20 * p);
      for (let i = 0; i < 20; i++) root.set(sample(new Float32Array(factors)), i * p);
      const inputSpace = cleanInputSpace(root, 20, layer, { energy: 0.995 });
      const updates = Array.from({ length: 20 }, (_, c) => ({
        id: c < 4 ? `x${c}` : `h${c}`,
        update: update(c < 4),
      }));
      const result = screenedMean()(updates, { inputSpace });
      const left = excluded(result);
      for (const id of ['x0', 'x1', 'x2', 'x3']) {
        const e = left.find((e) => e.id === id);
        expect(e?.signal).toBe('off-manifold');
        expect(e?.z).toBeGreaterThan(3);
      }
      // Honest clients are left out only now and then, by the ordinary threshold, never as trigger holders.
      const honestLeft = left.filter((e) => e.id.startsWith('h'));
      expect(honestLeft.length).toBeLessThanOrEqual(1);
      for (const e of honestLeft) expect(e.signal).not.toBe('off-manifold');
    }
  });

  it('always keeps the least suspicious client', () => {
    // Found by search: with four signals every one of these clients is above the median somewhere.
    const updates = clients([
      [0, 2],
      [-5, -10],
      [-10, -1],
      [-7, 8],
    ]);
    const result = screenedMean({ threshold: 1e-9 })(updates, { momentum: Float32Array.of(2, 0) });
    for (const s of Object.values(result.scores)) expect(s).toBeGreaterThan(1e-9);
    expect(result.accepted).toEqual(['d']);
  });

  it('takes a single client as it is (no peers to compare with)', () => {
    const result = screenedMean()(clients([[1, 2]]));
    expect(Array.from(result.update)).toEqual([1, 2]);
    expect(result.scores).toEqual({ a: 0 });
  });

  it('handles all-zero updates without dividing by zero', () => {
    const result = screenedMean()(
      clients([
        [0, 0],
        [0, 0],
        [0, 0],
      ]),
    );
    expect(Array.from(result.update)).toEqual([0, 0]);
    for (const s of Object.values(result.scores)) expect(Number.isFinite(s)).toBe(true);
  });

  it('checks its precondition, options and momentum with clear errors', () => {
    const six = clients([[1], [2], [3], [4], [5], [6]]);
    expect(() => screenedMean({ f: 3 })(six)).toThrow(
      /screened-mean needs n ≥ 2f \+ 1 clients: got n = 6 with f = 3 \(needs n ≥ 7\)/,
    );
    expect(() => screenedMean({ threshold: 0 })).toThrow(/screened-mean: option "threshold"/);
    expect(() => screenedMean()(six, { momentum: Float32Array.of(1, 2) })).toThrow(
      /screened-mean: momentum has 2 values but the updates have 1/,
    );
    const inputSpace = cleanInputSpace(Float32Array.of(1), 1, {
      weightOffset: 0,
      inputs: 1,
      units: 1,
      biasOffset: 1,
    });
    expect(() => screenedMean()(six, { inputSpace })).toThrow(/ends at 2, past the 1 values of an update/);
    expect(() => screenedMean()(six, { momentum: Float32Array.of(Number.NaN) })).toThrow(
      /screened-mean: momentum\[0\] is NaN/,
    );
  });
});
