import { afterAll, describe, expect, it } from 'vitest';
import { reduceCoordinates } from '../../src/engine/kernels/index.js';
import { jsKernels } from '../../src/engine/kernels/js-kernels.js';
import { reduceCoordinatesReference } from '../../src/engine/kernels/reference.js';
import { oddEvenMergeSortNetwork } from '../../src/engine/kernels/sorting-network.js';
import type { CoordinateReduction } from '../../src/engine/kernels/types.js';
import { Rng } from '../../src/engine/rng.js';
import { expectWithin, randomArray, wasmVariants } from './kernels-fixtures.js';

const variants = [{ name: 'js', kernels: jsKernels }, ...wasmVariants()];
afterAll(() => {
  for (const v of variants) v.kernels.dispose();
});

describe('oddEvenMergeSortNetwork', () => {
  // The 0-1 principle (Knuth, TAOCP vol. 3, 5.3.4): a comparator network sorts every input iff it sorts every
  // sequence of zeros and ones; for n ≤ 14 all 2ⁿ of them are checked.
  it.each([0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 13, 14])('sorts every 0-1 sequence of length %i', (n) => {
    const network = oddEvenMergeSortNetwork(n);
    for (let bits = 0; bits < 2 ** n; bits++) {
      const v = Array.from({ length: n }, (_, i) => (bits >> i) & 1);
      for (let t = 0; t < network.length; t += 2) {
        const [lo, hi] = [network[t], network[t + 1]];
        if (v[lo] > v[hi]) [v[lo], v[hi]] = [v[hi], v[lo]];
      }
      for (let i = 1; i < n; i++) if (v[i - 1] > v[i]) expect.fail(`n=${n}: ${bits.toString(2)} unsorted`);
    }
  });

  it('has only in-range comparators, lower position first, and Batcher’s count for powers of two', () => {
    for (const n of [16, 50, 64, 200]) {
      const network = oddEvenMergeSortNetwork(n);
      for (let t = 0; t < network.length; t += 2) {
        expect(network[t]).toBeLessThan(network[t + 1]);
        expect(network[t + 1]).toBeLessThan(n);
      }
    }
    // Batcher's odd–even merge sort on 2^k inputs has (k² − k + 4)·2^(k−2) − 1 comparators: 63 for 16, 543 for 64.
    expect(oddEvenMergeSortNetwork(16).length / 2).toBe(63);
    expect(oddEvenMergeSortNetwork(64).length / 2).toBe(543);
  });

  it('sorts random inputs of sizes that are not powers of two', () => {
    const rng = new Rng(5);
    for (const n of [17, 50, 100, 131]) {
      const network = oddEvenMergeSortNetwork(n);
      for (let trial = 0; trial < 20; trial++) {
        const v = Array.from({ length: n }, () => rng.nextUint32() % 7);
        const expected = [...v].sort((a, b) => a - b);
        for (let t = 0; t < network.length; t += 2) {
          const [lo, hi] = [network[t], network[t + 1]];
          if (v[lo] > v[hi]) [v[lo], v[hi]] = [v[hi], v[lo]];
        }
        expect(v).toEqual(expected);
      }
    }
  });
});

/** n vectors of d values; `ties` rounds them to halves so that many coordinates repeat values. */
function vectors(seed: number, n: number, d: number, ties: boolean): Float32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const v = randomArray(seed * 1000 + i, d, 3);
    return ties ? v.map((x) => Math.round(2 * x) / 2) : v;
  });
}

function reductionsFor(n: number): CoordinateReduction[] {
  const f = Math.floor((n - 1) / 2);
  return [
    { kind: 'median' },
    { kind: 'trimmed-mean', trim: 0 },
    { kind: 'trimmed-mean', trim: f },
    { kind: 'trimmed-mean', trim: Math.floor(f / 2) },
    { kind: 'closest-to-median-mean', count: 1 },
    { kind: 'closest-to-median-mean', count: Math.max(1, n - 2 * f) },
    { kind: 'closest-to-median-mean', count: n },
  ];
}

describe.each(variants)('reduceCoordinates on $name', ({ kernels }) => {
  // n around the network's power-of-two edges; d around the eight-coordinate groups and their tail.
  const SHAPES: [number, number][] = [
    [1, 1],
    [2, 7],
    [3, 8],
    [4, 9],
    [5, 16],
    [8, 17],
    [9, 3],
    [16, 25],
    [17, 40],
    [50, 33],
    [65, 12],
  ];
  it.each(SHAPES)('matches the sorted-column definition for n=%i, d=%i (with ties and without)', (n, d) => {
    for (const seed of [1, 2, 3]) {
      for (const ties of [false, true]) {
        const rows = vectors(seed, n, d, ties);
        for (const reduction of reductionsFor(n)) {
          const expected = reduceCoordinatesReference(rows, d, reduction, true);
          const got = kernels.reduceCoordinates(rows, d, reduction, true);
          // Sums of up to n values in float32 against float64: a few ulps of the largest magnitude.
          expectWithin(got.result, expected.result, 4e-7 * 3 * n);
          expectWithin(
            got.squaredDistances as Float64Array,
            expected.squaredDistances as Float64Array,
            (expected.squaredDistances as Float64Array).map((s) => 1e-6 * (s + 1)),
          );
        }
      }
    }
  });

  it('leaves its input alone and skips the distances unless asked', () => {
    const rows = vectors(4, 7, 30, false);
    const before = rows.map((r) => r.slice());
    const { squaredDistances } = kernels.reduceCoordinates(rows, 30, { kind: 'median' }, false);
    expect(squaredDistances).toBeUndefined();
    rows.forEach((r, i) => {
      expect(r).toEqual(before[i]);
    });
  });
});

describe('reduceCoordinates (entry point)', () => {
  it('computes a worked example: median, trimmed mean and closest-to-median mean of five vectors', () => {
    const rows = [
      [1, 10, -3],
      [2, 20, -1],
      [3, 30, -2],
      [4, 40, 100],
      [100, -50, -4],
    ].map((r) => Float32Array.from(r));
    expect([...reduceCoordinates(rows, { kind: 'median' }).result]).toEqual([3, 20, -2]);
    expect([...reduceCoordinates(rows, { kind: 'trimmed-mean', trim: 1 }).result]).toEqual([3, 20, -2]);
    // Median 3, 20, −2; the nearest two: 3 then 2 (tied with 4: the lower value first) → 2.5; 20 then 10
    // (tied with 30) → 15; −2 then −3 (tied with −1) → −2.5.
    const closest = reduceCoordinates(
      rows,
      { kind: 'closest-to-median-mean', count: 2 },
      { withDistances: true },
    );
    expect([...closest.result]).toEqual([2.5, 15, -2.5]);
    expect(closest.squaredDistances?.[0]).toBeCloseTo(1.5 ** 2 + 5 ** 2 + 0.5 ** 2, 9);
  });

  it('rejects empty input, unequal lengths and counts that do not fit', () => {
    const rows = [new Float32Array(3), new Float32Array(3), new Float32Array(3)];
    expect(() => reduceCoordinates([], { kind: 'median' })).toThrow(/no vectors/);
    expect(() => reduceCoordinates([...rows, new Float32Array(2)], { kind: 'median' })).toThrow(
      /vector 3 has 2 values, vector 0 has 3/,
    );
    expect(() => reduceCoordinates(rows, { kind: 'trimmed-mean', trim: 2 })).toThrow(/0 ≤ 2·trim < 3/);
    expect(() => reduceCoordinates(rows, { kind: 'closest-to-median-mean', count: 4 })).toThrow(/1…3/);
  });
});
