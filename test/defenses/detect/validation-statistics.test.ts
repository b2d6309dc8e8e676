import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  binomialUpperTail,
  chiSquareHomogeneity,
  chiSquareSurvival,
  kolmogorovSmirnov,
  kolmogorovSurvival,
  logGamma,
  populationStabilityIndex,
} from '../../../src/defenses/detect/validation-statistics.js';
import { Rng } from '../../../src/engine/rng.js';

function binomialPmf(i: number, n: number, p: number): number {
  let c = 1;
  for (let j = 0; j < i; j++) c = (c * (n - j)) / (j + 1);
  return c * p ** i * (1 - p) ** (n - i);
}

describe('special functions', () => {
  it('logGamma matches factorials and Γ(½) = √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 9);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
  });

  it('chi-square survival matches table critical values', () => {
    expect(chiSquareSurvival(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(18.307038, 10)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(6.634897, 1)).toBeCloseTo(0.01, 6);
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });

  it('Kolmogorov survival matches its critical values', () => {
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 4);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 4);
    expect(kolmogorovSurvival(0.1)).toBe(1);
  });

  it('the binomial upper tail equals the summed pmf on both sides of the mean', () => {
    for (const [n, p] of [
      [20, 0.1],
      [50, 0.3],
      [7, 0.9],
    ]) {
      for (let k = 0; k <= n + 1; k++) {
        let brute = 0;
        for (let i = k; i <= n; i++) brute += binomialPmf(i, n, p);
        expect(binomialUpperTail(k, n, p)).toBeCloseTo(brute, 10);
      }
    }
  });
});

describe('tests', () => {
  it('Benjamini–Hochberg adjusts a worked example', () => {
    expect(Array.from(benjaminiHochberg([0.01, 0.04, 0.03, 0.005]))).toEqual([0.02, 0.04, 0.04, 0.02]);
  });

  it('chi-square homogeneity of a 2 × 2 table matches the hand computation', () => {
    // Table [[10, 20], [20, 10]]: every expected count is 15, χ² = 4 · 25/15.
    const result = chiSquareHomogeneity([10, 20], [20, 10]);
    expect(result.statistic).toBeCloseTo(100 / 15, 10);
    expect(result.df).toBe(1);
    expect(result.pValue).toBeCloseTo(chiSquareSurvival(100 / 15, 1), 12);
  });

  it('KS: identical samples give D = 0, disjoint ones D = 1, a shift is detected at several seeds', () => {
    const a = Float32Array.from([1, 2, 3, 4]);
    expect(kolmogorovSmirnov(a, a)).toEqual({ statistic: 0, pValue: 1 });
    expect(kolmogorovSmirnov(a, Float32Array.from([5, 6, 7])).statistic).toBe(1);
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(seed);
      const same = Float32Array.from({ length: 2000 }, () => rng.normal()).sort();
      const other = Float32Array.from({ length: 2000 }, () => rng.normal()).sort();
      const shifted = Float32Array.from({ length: 2000 }, () => rng.normal() + 0.5).sort();
      expect(kolmogorovSmirnov(same, other).pValue).toBeGreaterThan(0.001);
      expect(kolmogorovSmirnov(same, shifted).pValue).toBeLessThan(1e-20);
    }
  });

  it('PSI is 0 for the same distribution and matches the formula for a known shift', () => {
    const reference = Float32Array.from({ length: 100 }, (_, i) => i);
    expect(populationStabilityIndex(reference, reference)).toBeCloseTo(0, 12);
    // Half the actual mass in the first decile, 10 of 180 values in each of the other nine.
    const actual = Float32Array.from({ length: 180 }, (_, i) =>
      i < 90 ? 0 : 10 * (1 + Math.floor((i - 90) / 10)) + 5,
    );
    const expected = 0.4 * Math.log(5) + 9 * ((1 / 18 - 0.1) * Math.log(1 / 18 / 0.1));
    expect(populationStabilityIndex(reference, actual)).toBeCloseTo(expected, 10);
  });
});
