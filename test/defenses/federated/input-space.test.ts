import { describe, expect, it } from 'vitest';
import {
  checkLayer,
  cleanInputSpace,
  type FirstLayer,
  offManifold,
} from '../../../src/defenses/federated/input-space.js';
import { Rng } from '../../../src/engine/rng.js';
import { SEEDS } from './fixtures.js';

/** count × p inputs whose last `empty` features are always 0 (an image's empty border), the rest Gaussian. */
function cleanInputs(rng: Rng, count: number, p: number, empty: number): Float32Array {
  const x = new Float32Array(count * p);
  for (let i = 0; i < count; i++) for (let j = 0; j < p - empty; j++) x[i * p + j] = rng.normal();
  return x;
}

/** A first-layer update Σᵢ [xᵢ, 1] ⊗ δᵢ (weight rows, then bias) placed at the layer's offsets in d values. */
function layerUpdate(rng: Rng, x: Float32Array, count: number, layer: FirstLayer, d: number): Float32Array {
  const { weightOffset, inputs: p, units, biasOffset = 0 } = layer;
  const u = new Float32Array(d);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < units; k++) {
      const delta = rng.normal();
      for (let j = 0; j < p; j++) u[weightOffset + j * units + k] += x[i * p + j] * delta;
      u[biasOffset + k] += delta;
    }
  }
  return u;
}

const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

describe('cleanInputSpace and offManifold', () => {
  it('worked example: two inputs span a plane; the third feature is off it', () => {
    // [x, 1] rows (1, 0, 0, 1) and (0, 1, 0, 1); one unit, weights 0..2, bias at 3.
    const layer = { weightOffset: 0, inputs: 3, units: 1, biasOffset: 3 };
    const space = cleanInputSpace(Float32Array.of(1, 0, 0, 0, 1, 0), 2, layer, { energy: 1 });
    expect(space.rank).toBe(2);
    expect(space.energy).toBeCloseTo(1, 12);
    // An update made of the inputs (weights = x₁ + 2x₂, bias = 1 + 2) has nothing off the space.
    expect(Array.from(offManifold(Float32Array.of(1, 2, 0, 3), space))).toEqual(
      [0, 0, 0, 0].map(() => expect.closeTo(0, 6)),
    );
    // Weight on the never-seen third feature is all off it.
    expect(Array.from(offManifold(Float32Array.of(0, 0, 5, 0), space))).toEqual(
      [0, 0, 5, 0].map((v) => expect.closeTo(v, 6)),
    );
    // A bias alone is no combination of (1, 0, 0, 1) and (0, 1, 0, 1): its projection is ⅔·(1, 1, 0, 2).
    expect(Array.from(offManifold(Float32Array.of(0, 0, 0, 2), space))).toEqual(
      [-2 / 3, -2 / 3, 0, 2 / 3].map((v) => expect.closeTo(v, 6)),
    );
  });

  it('keeps an orthonormal basis, and the updates clean inputs produce have nothing off it', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const [count, p, units] = [40, 30, 4];
      const x = cleanInputs(rng, count, p, 6);
      const layer = { weightOffset: 7, inputs: p, units, biasOffset: 7 + p * units + 3 };
      const space = cleanInputSpace(x, count, layer, { energy: 1 });
      expect(space.rank).toBe(p - 6 + 1); // the nonzero features and the bias
      for (let a = 0; a < space.rank; a++) {
        for (let b = 0; b < space.rank; b++) {
          let s = 0;
          for (let j = 0; j <= p; j++) s += space.basis[a * (p + 1) + j] * space.basis[b * (p + 1) + j];
          expect(s).toBeCloseTo(a === b ? 1 : 0, 9);
        }
      }
      const d = layer.biasOffset + units + 5;
      const honest = layerUpdate(rng, x, count, layer, d);
      expect(norm(offManifold(honest, space)) / norm(honest)).toBeLessThan(1e-5);
      // A trigger on the empty features: [x with the last 6 features set to 3, 1] ⊗ δ.
      const triggered = Float32Array.from(x, (v, i) => (i % p >= p - 6 ? 3 : v));
      const poisoned = layerUpdate(rng, triggered, count, layer, d);
      expect(norm(offManifold(poisoned, space)) / norm(poisoned)).toBeGreaterThan(0.2);
    }
  });

  it('a layer without a bias has inputs alone as its space (no constant input)', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      const [count, p, units] = [30, 12, 3];
      const x = cleanInputs(rng, count, p, 4);
      const layer = { weightOffset: 0, inputs: p, units };
      const space = cleanInputSpace(x, count, layer, { energy: 1 });
      expect(space.rank).toBe(p - 4);
      // Σᵢ xᵢ ⊗ δᵢ with no bias term.
      const honest = new Float32Array(p * units);
      for (let i = 0; i < count; i++) {
        for (let k = 0; k < units; k++) {
          const delta = rng.normal();
          for (let j = 0; j < p; j++) honest[j * units + k] += x[i * p + j] * delta;
        }
      }
      const residual = offManifold(honest, space);
      expect(residual).toHaveLength(p * units);
      expect(norm(residual) / norm(honest)).toBeLessThan(1e-5);
    }
  });

  it('energy keeps the leading directions only; maxSamples draws a seeded subset', () => {
    const rng = new Rng(3);
    const [count, p] = [60, 20];
    const x = cleanInputs(rng, count, p, 0);
    for (let i = 0; i < count; i++) for (let j = 0; j < 5; j++) x[i * p + j] *= 10; // five strong features
    const layer = { weightOffset: 0, inputs: p, units: 2, biasOffset: 2 * p };
    const full = cleanInputSpace(x, count, layer, { energy: 1 });
    const most = cleanInputSpace(x, count, layer, { energy: 0.9 });
    expect(full.rank).toBe(p + 1);
    expect(most.rank).toBeLessThan(full.rank);
    expect(most.rank).toBeGreaterThanOrEqual(5);
    expect(most.energy).toBeGreaterThanOrEqual(0.9);
    const a = cleanInputSpace(x, count, layer, { maxSamples: 10, seed: 1, energy: 1 });
    const b = cleanInputSpace(x, count, layer, { maxSamples: 10, seed: 1, energy: 1 });
    expect(a.rank).toBe(10);
    expect(Array.from(a.basis)).toEqual(Array.from(b.basis));
  });

  it('rejects bad inputs and layers with errors naming them', () => {
    const layer = { weightOffset: 0, inputs: 3, units: 2 };
    expect(() => cleanInputSpace(new Float32Array(5), 2, layer)).toThrow(
      /clean inputs hold 5 values, not 2 samples × 3 inputs/,
    );
    expect(() => cleanInputSpace(Float32Array.of(0, 0, 0, 0, Number.NaN, 0), 2, layer)).toThrow(
      /clean input sample 2, feature 2 is NaN/,
    );
    expect(() => cleanInputSpace(new Float32Array(3), 1, { ...layer, units: 0 })).toThrow(
      /units must be a whole number ≥ 1/,
    );
    expect(() => cleanInputSpace(new Float32Array(3), 1, layer, { energy: 0 })).toThrow(/energy/);
    expect(() => checkLayer({ weightOffset: 4, inputs: 3, units: 2, biasOffset: 10 }, 11)).toThrow(
      /ends at 12, past the 11 values of an update/,
    );
    expect(() => checkLayer({ weightOffset: -1, inputs: 3, units: 2 })).toThrow(/weightOffset/);
  });
});
