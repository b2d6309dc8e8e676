import { afterAll, describe, expect, it } from 'vitest';
import { coordinateKernels } from '../../../src/defenses/federated/coordinate-kernels.js';
import { reduceCoordinates } from '../../../src/defenses/federated/coordinates.js';
import { kernelInfo, setThreads } from '../../../src/engine/kernels/index.js';
import { Rng } from '../../../src/engine/rng.js';
import { firstDifference, SEEDS } from './fixtures.js';

const { selectKth, sortRange } = coordinateKernels;

/** Random values, with many ties when `levels` is small. */
function randomValues(rng: Rng, n: number, levels: number): Float32Array {
  return Float32Array.from({ length: n }, () => (levels > 0 ? rng.int(levels) : rng.normal()));
}

describe('selectKth', () => {
  it('returns the k-th smallest with smaller values before it and larger after, ties included', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      for (const levels of [0, 3, 1]) {
        for (const n of [1, 2, 3, 7, 50, 201]) {
          const a = randomValues(rng, n + 4, levels);
          const sorted = a.slice(2, n + 2).sort();
          const k = 2 + rng.int(n);
          const value = selectKth(a, 2, n + 1, k);
          expect(value).toBe(sorted[k - 2]);
          for (let i = 2; i < k; i++) expect(a[i]).toBeLessThanOrEqual(value);
          for (let i = k + 1; i < n + 2; i++) expect(a[i]).toBeGreaterThanOrEqual(value);
          expect(a.slice(2, n + 2).sort()).toEqual(sorted);
        }
      }
    }
  });
});

describe('sortRange', () => {
  it('sorts the range and leaves the rest alone', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      for (const levels of [0, 4]) {
        for (const n of [0, 1, 2, 13, 30, 257]) {
          const a = randomValues(rng, n + 2, levels);
          const expected = Float32Array.of(a[0], ...a.slice(1, n + 1).sort(), a[n + 1]);
          sortRange(a, 1, n);
          expect(a).toEqual(expected);
        }
      }
    }
  });
});

/** The three reductions written out per coordinate with a full sort. */
function reference(rows: readonly Float32Array[], j: number, reduction: string, param: number): number {
  const v = rows.map((r) => r[j]).sort((a, b) => a - b);
  const n = v.length;
  const med = n % 2 === 1 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  if (reduction === 'median') return med;
  if (reduction === 'trimmed-mean')
    return v.slice(param, n - param).reduce((s, x) => s + x, 0) / (n - 2 * param);
  const closest = [...v].sort((a, b) => Math.abs(a - med) - Math.abs(b - med)).slice(0, param);
  return closest.reduce((s, x) => s + x, 0) / param;
}

describe('reduceCoordinates', () => {
  const threadsBefore = kernelInfo().threads;
  afterAll(() => setThreads(threadsBefore));

  it('reduces every coordinate across block boundaries, on one thread and on several', () => {
    // 8 × 300,000 values: above the size at which the work is split over threads.
    const rng = new Rng(11);
    const n = 8;
    const d = 300_000;
    const rows = Array.from({ length: n }, () => randomValues(rng, d, 0));
    for (const [reduction, param] of [
      ['median', 0],
      ['trimmed-mean', 2],
      ['closest-to-median-mean', 3],
    ] as const) {
      setThreads(1);
      const single = reduceCoordinates(rows, d, reduction, param, true);
      setThreads(3);
      const multi = reduceCoordinates(rows, d, reduction, param, true);
      expect(firstDifference(multi.result, single.result)).toBe(-1);
      for (let j = 0; j < d; j += 9973)
        expect(single.result[j]).toBeCloseTo(reference(rows, j, reduction, param), 6);
      rows.forEach((row, i) => {
        let sq = 0;
        for (let j = 0; j < d; j++) sq += (row[j] - single.result[j]) ** 2;
        expect(single.squaredDistances?.[i]).toBeCloseTo(sq, 3);
        expect(multi.squaredDistances?.[i]).toBeCloseTo(sq, 3);
      });
    }
  });

  it('leaves its input alone and works on rows that already live in shared memory', () => {
    setThreads(2);
    const rng = new Rng(12);
    const d = 600_000;
    const rows = Array.from({ length: 4 }, () => {
      const row = new Float32Array(new SharedArrayBuffer(d * 4));
      row.set(randomValues(rng, d, 0));
      return row;
    });
    const before = rows.map((row) => row.slice());
    const { result } = reduceCoordinates(rows, d, 'median', 0, false);
    rows.forEach((row, i) => {
      expect(firstDifference(row, before[i])).toBe(-1);
    });
    for (let j = 0; j < d; j += 7919) expect(result[j]).toBeCloseTo(reference(rows, j, 'median', 0), 6);
  });
});
