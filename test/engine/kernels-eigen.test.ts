import { afterAll, describe, expect, it } from 'vitest';
import { jsKernels } from '../../src/engine/kernels/js-kernels.js';
import { topEigenvectorsReference } from '../../src/engine/kernels/reference.js';
import { symmetricEigen } from '../../src/engine/kernels/symmetric-eigen.js';
import type { Eigenpairs } from '../../src/engine/kernels/types.js';
import { Rng } from '../../src/engine/rng.js';
import { expectIdentical, expectWithin, type Variant, wasmVariants } from './kernels-fixtures.js';

const wasm = wasmVariants();
const variants: Variant[] = [{ name: 'js', kernels: jsKernels }, ...wasm];
afterAll(() => {
  for (const v of wasm) v.kernels.dispose();
});

/** A random d × d orthonormal basis (rows), by Gram–Schmidt on Gaussian vectors. */
function randomBasis(d: number, rng: Rng): Float64Array {
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const row = q.subarray(i * d, (i + 1) * d);
    for (let p = 0; p < d; p++) row[p] = rng.normal();
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let p = 0; p < d; p++) dot += row[p] * q[j * d + p];
      for (let p = 0; p < d; p++) row[p] -= dot * q[j * d + p];
    }
    const norm = Math.hypot(...row);
    for (let p = 0; p < d; p++) row[p] /= norm;
  }
  return q;
}

/** n samples whose covariance has eigenvectors basis[i] with standard deviations sigmas[i] (1 beyond), offset from 0. */
function planted(n: number, d: number, sigmas: number[], seed: number, offset = 3) {
  const rng = new Rng(seed);
  const basis = randomBasis(d, rng);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < d; l++) {
      const z = rng.normal() * (sigmas[l] ?? 1);
      for (let p = 0; p < d; p++) x[i * d + p] += z * basis[l * d + p];
    }
    for (let p = 0; p < d; p++) x[i * d + p] += offset + p / d;
  }
  return { x, basis };
}

function cosine(
  a: ArrayLike<number>,
  aOffset: number,
  b: ArrayLike<number>,
  bOffset: number,
  d: number,
): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let p = 0; p < d; p++) {
    dot += a[aOffset + p] * b[bOffset + p];
    na += a[aOffset + p] ** 2;
    nb += b[bOffset + p] ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

function expectOrthonormal(vectors: Float32Array, k: number, d: number): void {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let p = 0; p < d; p++) dot += vectors[i * d + p] * vectors[j * d + p];
      expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-5);
    }
  }
}

describe('symmetricEigen (Jacobi)', () => {
  it('diagonalises [[2, 1], [1, 2]]: eigenvalues 3 and 1 along (1, 1) and (1, −1)', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expectWithin(values, [3, 1], 1e-14);
    expect(Math.abs(vectors[0] * vectors[1] - 0.5)).toBeLessThan(1e-14);
    expect(Math.abs(vectors[2] * vectors[3] + 0.5)).toBeLessThan(1e-14);
  });

  it.each([1, 2, 3])(
    'returns orthonormal eigenvectors with A·v = λ·v of a random 12 × 12 matrix (seed %i)',
    (seed) => {
      const n = 12;
      const rng = new Rng(seed);
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
      const { values, vectors } = symmetricEigen(a, n);
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i];
      expect(Math.abs(values.reduce((s, v) => s + v, 0) - trace)).toBeLessThan(1e-10);
      for (let e = 0; e < n; e++) {
        if (e > 0) expect(values[e]).toBeLessThanOrEqual(values[e - 1]);
        for (let i = 0; i < n; i++) {
          let av = 0;
          for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[e * n + j];
          expect(Math.abs(av - values[e] * vectors[e * n + i])).toBeLessThan(1e-10);
        }
        for (let f = 0; f < n; f++) {
          const dot = cosine(vectors, e * n, vectors, f * n, n);
          expect(Math.abs(dot - (e === f ? 1 : 0))).toBeLessThan(1e-10);
        }
      }
    },
  );
});

describe('topEigenvectorsReference (planted ground truth)', () => {
  it('recovers the planted directions and variances', () => {
    const d = 12;
    const { x, basis } = planted(4000, d, [8, 5, 3], 4);
    const { vectors, values } = topEigenvectorsReference(x, 4000, d, 3);
    [8, 5, 3].forEach((sigma, i) => {
      expect(Math.abs(cosine(vectors, i * d, basis, i * d, d))).toBeGreaterThan(0.995);
      expect(Math.abs(values[i] / sigma ** 2 - 1)).toBeLessThan(0.1);
    });
  });
});

/** Eigenpairs agree with the reference: values to a relative 1e-5, vectors to |cos| ≥ 1 − 1e-6, same sign. */
function expectSameEigenpairs(actual: Eigenpairs, expected: Eigenpairs, k: number, d: number): void {
  expectWithin(
    actual.values,
    expected.values,
    expected.values.map((v) => 1e-5 * v + 1e-6),
  );
  for (let i = 0; i < k; i++)
    expect(cosine(actual.vectors, i * d, expected.vectors, i * d, d)).toBeGreaterThan(1 - 1e-6);
  expectOrthonormal(actual.vectors, k, d);
}

const problems = new Map<string, { x: Float32Array; expected: Eigenpairs }>();

/** 600 planted samples of d features and their reference eigenpairs (memoised across variants). */
function plantedProblem(d: number, k: number, seed: number) {
  const key = `${d} ${k} ${seed}`;
  if (!problems.has(key)) {
    const { x } = planted(600, d, [9, 6, 4, 2.5], seed);
    problems.set(key, { x, expected: topEigenvectorsReference(x, 600, d, k) });
  }
  return problems.get(key)!;
}

describe.each(variants)('topEigenvectors on $name', ({ kernels }) => {
  // d = 20 takes the dense (Jacobi) path, d = 80 and 150 the subspace iteration.
  it.each([
    [20, 1, 1],
    [20, 3, 2],
    [80, 1, 3],
    [80, 3, 4],
    [150, 2, 5],
  ])('matches the reference for d = %i, k = %i (seed %i)', (d, k, seed) => {
    const { x, expected } = plantedProblem(d, k, seed);
    const options = { iterations: 200, tolerance: 1e-12, seed };
    expectSameEigenpairs(kernels.topEigenvectors(x, 600, d, k, options), expected, k, d);
  });

  it('centres accurately data far from the origin', () => {
    for (const d of [30, 100]) {
      const { x } = planted(2000, d, [4, 2], 10, 1e4);
      const expected = topEigenvectorsReference(x, 2000, d, 2);
      expectSameEigenpairs(kernels.topEigenvectors(x, 2000, d, 2, { iterations: 100 }), expected, 2, d);
    }
  });

  it('gives the same answer for the same seed', () => {
    const { x } = planted(300, 70, [5, 3], 6);
    const first = kernels.topEigenvectors(x, 300, 70, 2, { seed: 9 });
    const second = kernels.topEigenvectors(x, 300, 70, 2, { seed: 9 });
    expectIdentical(second.vectors, first.vectors);
    expectIdentical(second.values, first.values);
  });

  it('completes an orthonormal basis when the data have lower rank than k', () => {
    // 3 samples span a 2-dimensional affine subspace: eigenvalues after the second are 0.
    const { x } = planted(3, 90, [], 7);
    const { vectors, values } = kernels.topEigenvectors(x, 3, 90, 4, { seed: 1 });
    const expected = topEigenvectorsReference(x, 3, 90, 2);
    expectWithin(
      values.subarray(0, 2),
      expected.values,
      expected.values.map((v) => 1e-5 * v),
    );
    expect(Math.abs(values[2])).toBeLessThan(1e-5 * values[0]);
    expect(Math.abs(values[3])).toBeLessThan(1e-5 * values[0]);
    expectOrthonormal(vectors, 4, 90);
  });

  it('returns zero eigenvalues for data without variance', () => {
    const x = new Float32Array(40 * 70).fill(2.5);
    const { vectors, values } = kernels.topEigenvectors(x, 40, 70, 2, {});
    expect(Array.from(values)).toEqual([0, 0]);
    expectOrthonormal(vectors, 2, 70);
  });

  it('rejects NaN and infinite values', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      for (const d of [20, 70]) {
        const x = new Float32Array(30 * d);
        x[17 * d + 3] = bad;
        expect(() => kernels.topEigenvectors(x, 30, d, 1, {})).toThrow(
          /column 3 of the data holds NaN or infinity/,
        );
      }
    }
  });
});

describe('topEigenvectors threading', () => {
  it('gives bit-identical results on 1 and 3 threads (reductions run over fixed row chunks)', () => {
    const { x } = planted(3000, 96, [6, 4], 8);
    for (const backend of ['wasm-relaxed-simd', 'wasm-simd']) {
      const [one, three] = wasm.filter((v) => v.name.startsWith(backend)).map((v) => v.kernels);
      if (one === undefined) continue;
      const expected = one.topEigenvectors(x, 3000, 96, 2, { iterations: 10 });
      const actual = three.topEigenvectors(x, 3000, 96, 2, { iterations: 10 });
      expectIdentical(actual.vectors, expected.vectors);
      expectIdentical(actual.values, expected.values);
    }
  });
});
