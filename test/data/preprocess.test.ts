import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { asImages, fitStandardization, standardize } from '../../src/data/preprocess.js';
import { Rng } from '../../src/engine/rng.js';
import { expectInputError } from './helpers.js';

function dataset(rows: number[][]): Dataset {
  return {
    x: { shape: [rows.length, rows[0].length], data: Float32Array.from(rows.flat()) },
    y: new Int32Array(rows.length),
    numClasses: 1,
  };
}

describe('standardisation', () => {
  it('fits mean and population std on a worked example, constant features get std 1', () => {
    const train = dataset([
      [1, 10, 5],
      [3, 10, Number.NaN],
      [5, 10, 7],
    ]);
    const stats = fitStandardization(train);
    expect(stats.mean).toEqual([3, 10, 6]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(stats.std[1]).toBe(1);
    expect(stats.std[2]).toBe(1);
    const out = standardize(dataset([[3, 12, Number.NaN]]), stats);
    expect(Array.from(out.x.data)).toEqual([0, 2, Number.NaN]);
  });

  it('fits one mean and std over every value with scope global (NaN skipped)', () => {
    const train = dataset([
      [0, 2, 4],
      [6, Number.NaN, 8],
    ]);
    // Values 0, 2, 4, 6, 8: mean 4, population variance (16 + 4 + 0 + 4 + 16) / 5 = 8.
    const stats = fitStandardization(train, { scope: 'global' });
    expect(stats.mean).toEqual([4, 4, 4]);
    expect(stats.std).toEqual([Math.sqrt(8), Math.sqrt(8), Math.sqrt(8)]);
    expect(fitStandardization(dataset([[5, 5]]), { scope: 'global' }).std).toEqual([1, 1]);
  });

  for (const seed of [1, 2, 3]) {
    it(`maps training features to mean 0 and std 1 (seed ${seed})`, () => {
      const rng = new Rng(seed);
      const n = 200;
      const d = 5;
      const train: Dataset = {
        x: {
          shape: [n, d],
          data: Float32Array.from({ length: n * d }, (_, i) => 100 * (i % d) + (i % d) * rng.normal()),
        },
        y: new Int32Array(n),
        numClasses: 1,
      };
      const z = standardize(train, fitStandardization(train)).x.data;
      for (let j = 1; j < d; j++) {
        let sum = 0;
        let squares = 0;
        for (let i = 0; i < n; i++) sum += z[i * d + j];
        for (let i = 0; i < n; i++) squares += (z[i * d + j] - sum / n) ** 2;
        expect(Math.abs(sum / n)).toBeLessThan(1e-5);
        expect(Math.sqrt(squares / n)).toBeCloseTo(1, 4);
      }
      for (let i = 0; i < n; i++) expect(z[i * d]).toBe(0); // feature 0 is constant
    });
  }

  it('rejects data with a different number of features', () => {
    const stats = fitStandardization(dataset([[1, 2]]));
    expectInputError(
      () => standardize(dataset([[1, 2, 3]]), stats),
      /3 features but the standardisation was fitted on 2/,
    );
  });
});

describe('asImages', () => {
  it('reshapes samples without copying', () => {
    const flat = dataset([Array.from({ length: 12 }, (_, i) => i)]);
    const images = asImages(flat, [3, 2, 2]);
    expect(images.x.shape).toEqual([1, 3, 2, 2]);
    expect(images.x.data).toBe(flat.x.data);
  });

  it('rejects shapes that do not hold a sample', () => {
    const flat = dataset([[1, 2, 3, 4]]);
    expectInputError(() => asImages(flat, [1, 3, 3]), /holds 9 values but each sample has 4/, {
      field: 'shape',
    });
    expectInputError(() => asImages(flat, [1, 0, 4]), /positive integers/, { field: 'shape' });
  });
});
