import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { stratifiedKFold, stratifiedSplit, subset } from '../../src/data/split.js';
import { Rng } from '../../src/engine/rng.js';
import { InputError } from '../../src/errors.js';

/** Labels with uneven, seeded class sizes (including a class of one sample and an empty class). */
function unevenLabels(seed: number): Int32Array {
  const rng = new Rng(seed);
  const sizes = [1 + rng.int(40), 1, 0, 5 + rng.int(100), 2 + rng.int(7), 17];
  const y = sizes.flatMap((size, c) => Array.from({ length: size }, () => c));
  return Int32Array.from(rng.shuffle(y));
}

function classCounts(y: Int32Array, indices: Uint32Array, numClasses: number): number[] {
  const counts = new Array(numClasses).fill(0);
  for (const i of indices) counts[y[i]]++;
  return counts;
}

function expectPartition(parts: Uint32Array[], n: number): void {
  const seen = new Uint8Array(n);
  for (const part of parts) for (const i of part) seen[i]++;
  expect(Array.from(seen).every((v) => v === 1)).toBe(true);
}

describe('stratifiedSplit', () => {
  for (const seed of [1, 2, 3, 42, 2024]) {
    for (const fraction of [0.1, 0.25, 0.5, 0.8]) {
      it(`is a stratified partition (seed ${seed}, test fraction ${fraction})`, () => {
        const y = unevenLabels(seed);
        const { train, test } = stratifiedSplit(y, fraction, seed);
        expectPartition([train, test], y.length);
        expect(test.length).toBe(Math.round(y.length * fraction));
        const all = classCounts(y, Uint32Array.from(y.keys()), 6);
        const inTest = classCounts(y, test, 6);
        all.forEach((count, c) => {
          expect(Math.abs(inTest[c] - count * fraction)).toBeLessThan(1);
        });
        expect(Array.from(train)).toEqual([...train].sort((a, b) => a - b));
      });
    }
  }

  it('is deterministic per seed and differs between seeds', () => {
    const y = unevenLabels(9);
    expect(stratifiedSplit(y, 0.3, 5)).toEqual(stratifiedSplit(y, 0.3, 5));
    expect(stratifiedSplit(y, 0.3, 5).test).not.toEqual(stratifiedSplit(y, 0.3, 6).test);
  });

  it('rejects fractions outside (0, 1) and splits that leave a side empty', () => {
    const y = unevenLabels(1);
    for (const f of [0, 1, -0.5, Number.NaN]) expect(() => stratifiedSplit(y, f, 1)).toThrow(InputError);
    expect(() => stratifiedSplit(Int32Array.of(0, 1), 0.1, 1)).toThrow(/test set empty/);
  });
});

describe('stratifiedKFold', () => {
  for (const seed of [1, 7, 99]) {
    for (const k of [2, 3, 5, 10]) {
      it(`folds are a stratified partition (seed ${seed}, k ${k})`, () => {
        const y = unevenLabels(seed);
        const folds = stratifiedKFold(y, k, seed);
        expect(folds).toHaveLength(k);
        expectPartition(
          folds.map((f) => f.test),
          y.length,
        );
        const all = classCounts(y, Uint32Array.from(y.keys()), 6);
        const sizes = folds.map((f) => f.test.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (const fold of folds) {
          expectPartition([fold.train, fold.test], y.length);
          classCounts(y, fold.test, 6).forEach((count, c) => {
            expect(Math.abs(count - all[c] / k)).toBeLessThan(1);
          });
        }
      });
    }
  }

  it('is deterministic per seed and validates k', () => {
    const y = unevenLabels(3);
    expect(stratifiedKFold(y, 4, 11)).toEqual(stratifiedKFold(y, 4, 11));
    expect(stratifiedKFold(y, 4, 11)[0].test).not.toEqual(stratifiedKFold(y, 4, 12)[0].test);
    expect(() => stratifiedKFold(y, 1, 1)).toThrow(InputError);
    expect(() => stratifiedKFold(y, 2.5, 1)).toThrow(InputError);
    expect(() => stratifiedKFold(Int32Array.of(0, 1), 3, 1)).toThrow(/at least 3 samples/);
  });
});

describe('subset', () => {
  const dataset: Dataset = {
    x: { shape: [4, 1, 1, 2], data: Float32Array.of(0, 1, 10, 11, 20, 21, 30, 31) },
    y: Int32Array.of(0, 1, 2, 1),
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
    ids: ['s0', 's1', 's2', 's3'],
    lines: Int32Array.of(2, 3, 5, 6),
  };

  it('takes rows, labels, ids and lines in index order and keeps the metadata', () => {
    const s = subset(dataset, Uint32Array.of(3, 0, 3));
    expect(s.x.shape).toEqual([3, 1, 1, 2]);
    expect(Array.from(s.x.data)).toEqual([30, 31, 0, 1, 30, 31]);
    expect(Array.from(s.y)).toEqual([1, 0, 1]);
    expect(s.ids).toEqual(['s3', 's0', 's3']);
    expect(Array.from(s.lines!)).toEqual([6, 2, 6]);
    expect(s.classNames).toEqual(['a', 'b', 'c']);
    expect(s.numClasses).toBe(3);
  });

  it('rejects out-of-range indices', () => {
    expect(() => subset(dataset, [4])).toThrow(RangeError);
    expect(() => subset(dataset, [-1])).toThrow(RangeError);
  });
});
