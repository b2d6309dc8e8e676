import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/attacks/normal-quantile.js';
import { gaussianNoiseUpdates, scaleUpdates, signFlipUpdates } from '../../src/attacks/update-blind.js';
import { alieUpdates, ipmUpdates, minMaxUpdates, minSumUpdates } from '../../src/attacks/update-informed.js';
import {
  applyUpdateTruth,
  decodeFloat32,
  encodeFloat32,
  type UpdateAttackResult,
} from '../../src/attacks/update-truth.js';
import type { ClientUpdate } from '../../src/defenses/federated/types.js';
import { Rng } from '../../src/engine/rng.js';
import { InputError } from '../../src/errors.js';

/** n honest updates scattered around a common direction. */
function honestUpdates(seed: number, n = 10, d = 50): ClientUpdate[] {
  const rng = new Rng(seed);
  const center = Float32Array.from({ length: d }, () => rng.normal());
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    update: center.map((v) => v + 0.5 * rng.normal()),
    weight: 1 + i,
  }));
}

function snapshotOf(updates: readonly ClientUpdate[]): string {
  return JSON.stringify(updates.map((u) => [u.id, Array.from(u.update), u.weight]));
}

function expectExact(
  clean: ClientUpdate[],
  before: string,
  result: UpdateAttackResult,
  malicious: string[],
): void {
  expect(snapshotOf(clean)).toBe(before);
  const truth = JSON.parse(JSON.stringify(result.truth));
  expect(snapshotOf(applyUpdateTruth(clean, truth))).toBe(snapshotOf(result.output));
  expect(result.truth.malicious).toEqual(clean.map((u) => u.id).filter((id) => malicious.includes(id)));
  expect(Array.from(result.poisoned)).toEqual(clean.flatMap((u, i) => (malicious.includes(u.id) ? [i] : [])));
  result.output.forEach((u, i) => {
    expect(u.id).toBe(clean[i].id);
    expect(u.weight).toBe(clean[i].weight);
    if (!malicious.includes(u.id)) expect(u.update).toEqual(clean[i].update);
  });
}

function meanStd(rows: Float32Array[]): { mean: number[]; std: number[] } {
  const d = rows[0].length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const std = mean.map((m, j) =>
    Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / (rows.length - 1)),
  );
  return { mean, std };
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return s;
}

const malicious = ['c1', 'c4', 'c7'];

describe('normalQuantile', () => {
  it('matches tabulated quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
    expect(normalQuantile(0.6)).toBeCloseTo(0.2533471031, 8);
    expect(normalQuantile(1 - 1e-10)).toBeCloseTo(6.361340902, 6);
  });
});

describe('update attacks', () => {
  for (const seed of [1, 2, 3]) {
    it(`sign flip, scaling and noise replace only the malicious updates (seed ${seed})`, () => {
      const clean = honestUpdates(seed);
      const before = snapshotOf(clean);
      const flip = signFlipUpdates(clean, { malicious, scale: 2 });
      expectExact(clean, before, flip, malicious);
      for (const i of flip.poisoned)
        expect(Array.from(flip.output[i].update)).toEqual(Array.from(clean[i].update, (v) => -2 * v));
      const scaled = scaleUpdates(clean, { malicious });
      expect(scaled.truth.params.factor).toBeCloseTo(10 / 3, 12);
      for (const i of scaled.poisoned) {
        expect(Array.from(scaled.output[i].update)).toEqual(
          Array.from(clean[i].update, (v) => Math.fround((10 / 3) * v)),
        );
      }
      expectExact(clean, before, scaled, malicious);
      const noise = gaussianNoiseUpdates(clean, { malicious, sigma: 3, seed });
      expectExact(clean, before, noise, malicious);
      const values = Array.from(noise.poisoned).flatMap((i) => Array.from(noise.output[i].update));
      const { mean, std } = meanStd(values.map((v) => Float32Array.of(v)));
      expect(Math.abs(mean[0])).toBeLessThan(0.5);
      expect(std[0]).toBeGreaterThan(2.5);
      expect(std[0]).toBeLessThan(3.5);
      expect(snapshotOf(gaussianNoiseUpdates(clean, { malicious, sigma: 3, seed }).output)).toBe(
        snapshotOf(noise.output),
      );
    });

    it(`ALIE sends μ − z·σ with the paper's z_max (seed ${seed})`, () => {
      const clean = honestUpdates(seed);
      const before = snapshotOf(clean);
      const result = alieUpdates(clean, { malicious });
      // n = 10, m = 3: s = ⌊10/2 + 1⌋ − 3 = 3, z = Φ⁻¹(7/10).
      const z = normalQuantile(0.7);
      expect(result.truth.params.z).toBe(z);
      const { mean, std } = meanStd(clean.map((u) => u.update));
      const expected = mean.map((m, j) => Math.fround(m - z * std[j]));
      for (const i of result.poisoned) {
        Array.from(result.output[i].update).forEach((v, j) => {
          expect(v).toBeCloseTo(expected[j], 5);
        });
      }
      expect(result.truth.knowledge).toBe('omniscient');
      expectExact(clean, before, result, malicious);
    });

    it(`partial knowledge uses only the malicious clients' own updates (seed ${seed})`, () => {
      const clean = honestUpdates(seed);
      const other = clean.map((u) =>
        malicious.includes(u.id) ? u : { ...u, update: u.update.map((v) => v * 7 + 1) },
      );
      for (const attack of [alieUpdates, ipmUpdates, minMaxUpdates, minSumUpdates]) {
        const a = attack(clean, { malicious, knowledge: 'partial' });
        const b = attack(other, { malicious, knowledge: 'partial' });
        expect(a.truth.updates).toEqual(b.truth.updates);
        expect(a.truth.knowledge).toBe('partial');
        const omniscient = attack(other, { malicious });
        expect(omniscient.truth.updates).not.toEqual(b.truth.updates);
      }
    });

    it(`IPM sends −ε times the mean (seed ${seed})`, () => {
      const clean = honestUpdates(seed);
      const before = snapshotOf(clean);
      const result = ipmUpdates(clean, { malicious, epsilon: 2 });
      const { mean } = meanStd(clean.map((u) => u.update));
      for (const i of result.poisoned) {
        Array.from(result.output[i].update).forEach((v, j) => {
          expect(v).toBeCloseTo(-2 * mean[j], 5);
        });
      }
      expectExact(clean, before, result, malicious);
    });

    for (const deviation of ['unit-vector', 'sign', 'std'] as const) {
      it(`Min-Max and Min-Sum find the largest γ that keeps their constraint (${deviation}, seed ${seed})`, () => {
        const clean = honestUpdates(seed);
        const before = snapshotOf(clean);
        const rows = clean.map((u) => u.update);
        const maxPairwise = Math.max(...rows.flatMap((a) => rows.map((b) => squaredDistance(a, b))));
        const maxSum = Math.max(...rows.map((a) => rows.reduce((s, b) => s + squaredDistance(a, b), 0)));
        const { mean, std } = meanStd(rows);
        const norm = Math.sqrt(mean.reduce((s, v) => s + v * v, 0));
        const direction =
          deviation === 'std' ? std : deviation === 'sign' ? mean.map(Math.sign) : mean.map((v) => v / norm);
        const at = (gamma: number) => mean.map((m, j) => m - gamma * direction[j]);
        const minMax = minMaxUpdates(clean, { malicious, deviation });
        const minSum = minSumUpdates(clean, { malicious, deviation });
        const gMax = minMax.info.gamma as number;
        const gSum = minSum.info.gamma as number;
        expect(gMax).toBeGreaterThan(0);
        expect(gSum).toBeGreaterThan(0);
        const worstDistance = (g: number) => Math.max(...rows.map((r) => squaredDistance(at(g), r)));
        const sumDistance = (g: number) => rows.reduce((s, r) => s + squaredDistance(at(g), r), 0);
        expect(worstDistance(gMax)).toBeLessThanOrEqual(maxPairwise * (1 + 1e-9));
        expect(worstDistance(gMax + 1e-4)).toBeGreaterThan(maxPairwise);
        expect(sumDistance(gSum)).toBeLessThanOrEqual(maxSum * (1 + 1e-9));
        expect(sumDistance(gSum + 1e-4)).toBeGreaterThan(maxSum);
        const crafted = minMax.output[minMax.poisoned[0]].update;
        Array.from(crafted).forEach((v, j) => {
          expect(v).toBeCloseTo(at(gMax)[j], 4);
        });
        expectExact(clean, before, minMax, malicious);
        expectExact(clean, before, minSum, malicious);
      });
    }
  }

  it('rejects unknown, duplicate and too few malicious clients', () => {
    const clean = honestUpdates(1);
    expect(() => signFlipUpdates(clean, { malicious: ['nobody'] })).toThrow(/"nobody" has no update/);
    expect(() => signFlipUpdates(clean, { malicious: ['c1', 'c1'] })).toThrow(/listed twice/);
    expect(() => alieUpdates(clean, { malicious: ['c1'], knowledge: 'partial' })).toThrow(
      /at least 2 reference updates/,
    );
    expect(() => ipmUpdates(clean, { malicious: [] })).toThrow(InputError);
    expect(() => gaussianNoiseUpdates(clean, { malicious, sigma: 0 })).toThrow(
      /sigma must be a positive number/,
    );
    const broken = clean.map((u) =>
      u.id === 'c3' ? { ...u, update: u.update.map((v, j) => (j === 5 ? Number.NaN : v)) } : u,
    );
    expect(() => alieUpdates(broken, { malicious })).toThrow(
      /field "c3": value NaN at index 5 is not finite/,
    );
    const short = clean.map((u) => (u.id === 'c2' ? { ...u, update: u.update.slice(1) } : u));
    expect(() => minMaxUpdates(short, { malicious })).toThrow(
      /field "c2": the update has 49 values, the first one 50/,
    );
    const duplicated = [...clean, { id: 'c0', update: new Float32Array(50) }];
    expect(() => ipmUpdates(duplicated, { malicious })).toThrow(/appears twice/);
  });

  it('encodes float32 updates exactly, including special values', () => {
    const values = Float32Array.of(0, -0, 1.5, -3.4e38, 1e-45, Number.POSITIVE_INFINITY, Math.PI);
    const decoded = decodeFloat32(encodeFloat32(values));
    expect(new Uint32Array(decoded.buffer)).toEqual(new Uint32Array(values.buffer));
  });
});
