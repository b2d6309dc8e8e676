import { afterAll, describe, expect, it } from 'vitest';
import { jsKernels } from '../../src/engine/kernels/js-kernels.js';
import {
  matvecReference,
  nearestNeighborsReference,
  pairwiseSquaredDistancesReference,
} from '../../src/engine/kernels/reference.js';
import { expectIdentical, expectWithin, randomArray, wasmVariants } from './kernels-fixtures.js';

const variants = [{ name: 'js', kernels: jsKernels }, ...wasmVariants()];
afterAll(() => {
  for (const v of variants) v.kernels.dispose();
});
const wasmOnly = variants.filter((v) => v.kernels.backend !== 'js');

const MATVEC_SHAPES: [number, number][] = [
  [1, 1],
  [3, 5],
  [7, 3],
  [17, 33],
  [64, 64],
  [257, 130],
  [1000, 301],
];

describe.each(wasmOnly)('matvec on $name', ({ kernels }) => {
  it.each(MATVEC_SHAPES)('matches the reference for A %i×%i, plain and transposed', (m, n) => {
    for (const trans of [false, true]) {
      for (const seed of [1, 2]) {
        const a = randomArray(seed * m, m * n);
        const x = randomArray(seed * n + 1, trans ? m : n);
        const expected = new Float32Array(trans ? n : m);
        matvecReference(a, x, expected, m, n, trans);
        const bound = new Float32Array(expected.length);
        matvecReference(a.map(Math.abs), x.map(Math.abs), bound, m, n, trans);
        const y = new Float32Array(expected.length).fill(Number.NaN); // overwritten, never read
        kernels.matvec(a, x, y, m, n, trans);
        expectWithin(
          y,
          expected,
          bound.map((v) => 1e-5 * v + 1e-7),
        );
      }
    }
  });
});

describe.each(wasmOnly)('pairwiseSquaredDistances on $name', ({ kernels }) => {
  // Error of |x|² + |y|² − 2x·y in float32 is relative to the (centred) squared norms, not to the distance.
  function tolerance(x: Float32Array, n: number, y: Float32Array, m: number, d: number): Float32Array {
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) mean[p] += x[i * d + p] / n;
    const norms = (z: Float32Array, rows: number) =>
      Array.from({ length: rows }, (_, i) => {
        let s = 0;
        for (let p = 0; p < d; p++) s += (z[i * d + p] - mean[p]) ** 2;
        return s;
      });
    const xn = norms(x, n);
    const yn = norms(y, m);
    return Float32Array.from(
      { length: n * m },
      (_, ij) => 2e-6 * (xn[Math.floor(ij / m)] + yn[ij % m]) + 1e-6,
    );
  }

  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [17, 33, 65],
    [40, 9, 300],
    [130, 257, 12],
  ])('matches the reference between %i and %i rows of %i features', (n, m, d) => {
    for (const seed of [3, 4]) {
      const x = randomArray(seed, n * d);
      const y = randomArray(seed + 10, m * d);
      const expected = pairwiseSquaredDistancesReference(x, n, d, y, m);
      expectWithin(
        kernels.pairwiseSquaredDistances(x, n, d, y, m, new Float32Array(n * m)),
        expected,
        tolerance(x, n, y, m, d),
      );
    }
  });

  it('stays accurate for data far from the origin (it centres before expanding the square)', () => {
    const n = 50;
    const d = 20;
    const x = randomArray(8, n * d).map((v) => 1000 + v);
    const expected = pairwiseSquaredDistancesReference(x, n, d);
    const got = kernels.pairwiseSquaredDistances(x, n, d, undefined, n, new Float32Array(n * n));
    // Uncentred, |x|² ≈ 2e7 would leave errors of several units on distances of about 7.
    expectWithin(got, expected, tolerance(x, n, x, n, d));
  });

  // Only the upper triangle of X·Xᵀ is multiplied, then mirrored: sizes across the 4 × 8 tiles, the
  // 128-row blocks and the 2048-column panels of the GEMM.
  it.each([
    [1, 1],
    [2, 3],
    [5, 7],
    [9, 1],
    [130, 17],
    [2100, 3],
  ])('among the %i rows of x (d=%i): matches the reference in both triangles', (n, d) => {
    const x = randomArray(n + d, n * d);
    expectWithin(
      kernels.pairwiseSquaredDistances(x, n, d, undefined, n, new Float32Array(n * n)),
      pairwiseSquaredDistancesReference(x, n, d),
      tolerance(x, n, x, n, d),
    );
  });

  it('among the rows of x: symmetric with an exactly zero diagonal, duplicates at distance 0', () => {
    const n = 37;
    const d = 11;
    const x = randomArray(9, n * d);
    x.copyWithin(5 * d, 2 * d, 3 * d); // row 5 duplicates row 2
    const got = kernels.pairwiseSquaredDistances(x, n, d, undefined, n, new Float32Array(n * n));
    for (let i = 0; i < n; i++) {
      expect(got[i * n + i]).toBe(0);
      for (let j = 0; j < i; j++) expect(got[i * n + j]).toBe(got[j * n + i]);
    }
    expect(got[5 * n + 2]).toBeLessThan(1e-5);
    expectWithin(got, pairwiseSquaredDistancesReference(x, n, d), tolerance(x, n, x, n, d));
  });

  it('returns all zeros for zero features', () => {
    expect(
      Array.from(
        kernels.pairwiseSquaredDistances(
          new Float32Array(0),
          2,
          0,
          new Float32Array(0),
          3,
          new Float32Array(2 * 3),
        ),
      ),
    ).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('nearestNeighborsReference (known answer)', () => {
  it('finds the nearest points on a line, ties to the lower index, leaving each point out of its own list', () => {
    const x = Float32Array.from([0, 1, 3, 7, 5]);
    const { indices, distances } = nearestNeighborsReference(x, 5, 1, 2);
    expect(Array.from(indices)).toEqual([1, 2, 0, 2, 1, 4, 4, 2, 2, 3]);
    expect(Array.from(distances)).toEqual([1, 9, 1, 4, 4, 4, 4, 16, 4, 4]);
  });

  it('ranks reference rows y for each query row', () => {
    const { indices } = nearestNeighborsReference(
      Float32Array.from([0, 0, 10, 10]),
      2,
      2,
      2,
      Float32Array.from([9, 9, 1, 0, 0, 1]),
      3,
    );
    expect(Array.from(indices)).toEqual([1, 2, 0, 1]);
  });
});

describe.each(variants)('nearestNeighbors on $name', ({ kernels }) => {
  /** Checks a kNN answer against the reference up to float32 rounding of the distances. */
  function expectNeighbors(
    x: Float32Array,
    n: number,
    d: number,
    k: number,
    y: Float32Array | undefined,
    m: number,
  ) {
    const got = kernels.nearestNeighbors(x, n, d, k, y, m);
    const expected = nearestNeighborsReference(x, n, d, k, y, m);
    const exact = pairwiseSquaredDistancesReference(x, n, d, y ?? x, m);
    const scale = Math.max(...exact);
    for (let i = 0; i < n; i++) {
      const row = Array.from(got.indices.subarray(i * k, (i + 1) * k));
      expect(new Set(row).size).toBe(k);
      if (y === undefined) expect(row).not.toContain(i);
      row.forEach((j, r) => {
        // The r-th smallest distance is stable under rounding; which of two near-equal rows wins is not.
        expect(Math.abs(got.distances[i * k + r] - expected.distances[i * k + r])).toBeLessThan(1e-5 * scale);
        expect(Math.abs(got.distances[i * k + r] - exact[i * m + j])).toBeLessThan(1e-5 * scale);
      });
    }
  }

  it.each([
    [1, 1, 1, 1],
    [7, 5, 3, 5],
    [40, 33, 17, 4],
    [130, 257, 9, 10],
  ])('matches the reference for %i query and %i reference rows of %i features, k = %i', (n, m, d, k) => {
    for (const seed of [5, 6])
      expectNeighbors(randomArray(seed, n * d), n, d, k, randomArray(seed + 1, m * d), m);
  });

  it.each([
    [2, 3, 1],
    [33, 8, 5],
    [150, 20, 7],
  ])('matches the reference among %i rows of %i features, k = %i', (n, d, k) => {
    for (const seed of [7, 8]) expectNeighbors(randomArray(seed, n * d), n, d, k, undefined, n);
  });

  it('puts an exact duplicate first, at distance 0', () => {
    const x = randomArray(12, 60 * 6);
    x.copyWithin(41 * 6, 17 * 6, 18 * 6);
    const { indices, distances } = kernels.nearestNeighbors(x, 60, 6, 3, undefined, 60);
    expect([indices[17 * 3], indices[41 * 3]]).toEqual([41, 17]);
    expect(distances[17 * 3]).toBeLessThan(1e-6);
  });

  it('rejects NaN and infinity, naming the row (as pairwiseSquaredDistances does)', () => {
    const x = randomArray(13, 20 * 4);
    x[9 * 4 + 2] = Number.NaN;
    expect(() => kernels.nearestNeighbors(x, 20, 4, 2, undefined, 20)).toThrow(
      'nearestNeighbors: row 9 of x holds NaN or infinity (or values too large to square)',
    );
    expect(() => kernels.nearestNeighbors(randomArray(1, 8), 2, 4, 2, x, 20)).toThrow(/row 9 of y/);
    x[9 * 4 + 2] = Number.NEGATIVE_INFINITY;
    expect(() =>
      kernels.pairwiseSquaredDistances(x, 20, 4, undefined, 20, new Float32Array(20 * 20)),
    ).toThrow(/pairwiseSquaredDistances: row 9 of x/);
    expect(() =>
      kernels.pairwiseSquaredDistances(randomArray(1, 8), 2, 4, x, 20, new Float32Array(2 * 20)),
    ).toThrow(/row 9 of y/);
  });
});

describe('vector kernels threading', () => {
  it('gives bit-identical results on 1 and 3 threads', () => {
    const a = randomArray(11, 300 * 200);
    const x = randomArray(12, 300);
    for (const backend of ['wasm-relaxed-simd', 'wasm-simd']) {
      const [one, three] = wasmOnly.filter((v) => v.name.startsWith(backend)).map((v) => v.kernels);
      if (one === undefined) continue;
      const run = (kernels: typeof one) => {
        const y = new Float32Array(300);
        const yt = new Float32Array(200);
        kernels.matvec(a, x.subarray(0, 200), y, 300, 200, false);
        kernels.matvec(a, x, yt, 300, 200, true);
        const neighbors = kernels.nearestNeighbors(a, 300, 200, 5, undefined, 300);
        return [
          y,
          yt,
          kernels.pairwiseSquaredDistances(a, 300, 200, undefined, 300, new Float32Array(300 * 300)),
          neighbors.distances,
        ];
      };
      const [expected, actual] = [run(one), run(three)];
      for (const [i, e] of expected.entries()) expectIdentical(actual[i], e);
    }
  });
});
