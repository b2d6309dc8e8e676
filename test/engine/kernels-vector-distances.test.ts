import { afterAll, describe, expect, it } from 'vitest';
import { vectorSquaredDistances } from '../../src/engine/kernels/index.js';
import { jsKernels } from '../../src/engine/kernels/js-kernels.js';
import { vectorSquaredDistancesReference } from '../../src/engine/kernels/reference.js';
import { expectWithin, randomArray, wasmVariants } from './kernels-fixtures.js';

const variants = [{ name: 'js', kernels: jsKernels }, ...wasmVariants()];
afterAll(() => {
  for (const v of variants) v.kernels.dispose();
});

/** n vectors of d values: `offset` + uniform noise in [−1, 1), so every vector shares a common part. */
function vectors(seed: number, n: number, d: number, offset = 0): Float32Array[] {
  return Array.from({ length: n }, (_, i) => randomArray(seed * 100 + i, d).map((x) => x + offset));
}

/** The error bound of the centred Gram formula: a few ulps of ‖v_i − μ‖² + ‖v_j − μ‖², per pair. */
function tolerance(rows: Float32Array[], d: number): Float64Array {
  const n = rows.length;
  const mean = new Float64Array(d);
  for (const r of rows) for (let p = 0; p < d; p++) mean[p] += r[p] / n;
  const spread = rows.map((r) => r.reduce((s, x, p) => s + (x - mean[p]) ** 2, 0));
  return Float64Array.from(
    { length: n * n },
    (_, k) => 1e-6 * (spread[Math.floor(k / n)] + spread[k % n]) + 1e-12,
  );
}

describe.each(variants)('vectorSquaredDistances on $name', ({ kernels }) => {
  // d around the kernel's 4-value quads and 256-value blocks; n around its 4 × 2 tiles.
  const SHAPES: [number, number][] = [
    [1, 5],
    [2, 1],
    [3, 3],
    [4, 4],
    [5, 257],
    [6, 1000],
    [9, 33],
    [13, 5000],
  ];
  it.each(SHAPES)('matches direct differences for n=%i, d=%i, near the origin and far from it', (n, d) => {
    for (const seed of [1, 2, 3]) {
      for (const offset of [0, 1000]) {
        const rows = vectors(seed, n, d, offset);
        const got = kernels.vectorSquaredDistances(rows, d);
        expectWithin(got, vectorSquaredDistancesReference(rows, d), tolerance(rows, d));
        for (let i = 0; i < n; i++) expect(got[i * n + i]).toBe(0);
      }
    }
  });

  it('names the vector that holds NaN or infinity', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const rows = vectors(4, 5, 40);
      rows[3][17] = bad;
      expect(() => kernels.vectorSquaredDistances(rows, 40)).toThrow(/vector 3 holds NaN or infinity/);
    }
  });
});

describe('vectorSquaredDistances (entry point)', () => {
  it('computes a worked example and checks the lengths', () => {
    // The mean (2, 0) and every centred value are exact in float32, so the distances are too.
    const rows = [Float32Array.of(0, 0), Float32Array.of(3, 4), Float32Array.of(3, -4)];
    expect([...vectorSquaredDistances(rows)]).toEqual([0, 25, 25, 25, 0, 64, 25, 64, 0]);
    expect(vectorSquaredDistances([])).toEqual(new Float64Array(0));
    expect(() => vectorSquaredDistances([rows[0], Float32Array.of(1)])).toThrow(/vector 1 has 1 values/);
  });
});
