import { describe, expect, it } from 'vitest';
import { nearestNeighbours } from '../../../src/defenses/detect/knn.js';
import { Rng } from '../../../src/engine/rng.js';

function bruteForce(x: Float32Array, n: number, d: number, k: number, reference: number[]): number[][] {
  return Array.from({ length: n }, (_, i) => {
    const dist = reference
      .filter((j) => j !== i)
      .map((j) => ({
        j,
        v: Array.from({ length: d }, (_, c) => (x[i * d + c] - x[j * d + c]) ** 2).reduce((a, b) => a + b),
      }));
    return dist
      .sort((a, b) => a.v - b.v || a.j - b.j)
      .slice(0, k)
      .map((e) => e.j);
  });
}

describe('nearestNeighbours', () => {
  for (const seed of [1, 2, 3]) {
    it(`matches brute force (seed ${seed})`, () => {
      const rng = new Rng(seed);
      const n = 57;
      const d = 5;
      const x = Float32Array.from({ length: n * d }, () => rng.normal());
      const k = 4;
      // Seed 2 searches every row without a reference list; seed 3 uses every third row as the only
      // possible neighbours (the subsampled mode).
      const reference = Array.from({ length: n }, (_, i) => i).filter((i) => seed !== 3 || i % 3 === 0);
      const got = nearestNeighbours(x, n, d, k, seed === 2 ? {} : { reference });
      const want = bruteForce(x, n, d, k, reference);
      for (let i = 0; i < n; i++) {
        expect(Array.from(got.indices.subarray(i * k, (i + 1) * k))).toEqual(want[i]);
        for (let j = 1; j < k; j++)
          expect(got.distances[i * k + j]).toBeGreaterThanOrEqual(got.distances[i * k + j - 1]);
      }
    });
  }

  it('rejects k not below the number of reference rows', () => {
    expect(() => nearestNeighbours(new Float32Array(6), 3, 2, 3)).toThrow(RangeError);
  });
});
