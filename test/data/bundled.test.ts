import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FASHION_MNIST_CLASSES,
  loadDigits,
  loadFashionMnist,
  loadFashionMnistSubset,
} from '../../src/data/bundled.js';
import { BYTE_IMAGE_SCALE } from '../../src/data/idx-dataset.js';
import { saveDataset } from '../../src/data/load.js';
import { subset } from '../../src/data/split.js';
import { expectInputError, tempDir } from './helpers.js';

const dir = tempDir();

describe('loadDigits', () => {
  const digits = loadDigits();

  it('has the shape, value range and classes of scikit-learn digits', () => {
    expect(digits.x.shape).toEqual([1797, 64]);
    expect(digits.y).toHaveLength(1797);
    expect(digits.numClasses).toBe(10);
    expect(digits.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(Math.min(...digits.x.data)).toBe(0);
    expect(Math.max(...digits.x.data)).toBe(16);
    expect(digits.x.data.every((v) => Number.isInteger(v))).toBe(true);
    expect(digits.featureNames![9]).toBe('pixel_1_1');
  });

  it('matches known values of scikit-learn digits', () => {
    // sklearn.datasets.load_digits(): class counts, the first image (a zero) and the first ten labels.
    const counts = new Array(10).fill(0);
    for (const label of digits.y) counts[label]++;
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(Array.from(digits.x.data.subarray(0, 16))).toEqual([
      0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0,
    ]);
    expect(Array.from(digits.y.subarray(0, 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(digits.source?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('loadFashionMnistSubset', () => {
  const { train, test } = loadFashionMnistSubset();

  it('holds 3,000 + 1,000 balanced 28 × 28 images scaled to [0, 1]', () => {
    for (const [set, perClass] of [
      [train, 300],
      [test, 100],
    ] as const) {
      expect(set.x.shape).toEqual([perClass * 10, 1, 28, 28]);
      const counts = new Array(10).fill(0);
      for (const label of set.y) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
      expect(set.classNames).toEqual(FASHION_MNIST_CLASSES);
      expect(set.valueScale).toBe(BYTE_IMAGE_SCALE);
      expect(set.x.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    // Fashion-MNIST's mean pixel is 0.286; a subset of 3,000 lands close to it.
    const mean = train.x.data.reduce((a, b) => a + b, 0) / train.x.data.length;
    expect(mean).toBeGreaterThan(0.27);
    expect(mean).toBeLessThan(0.3);
  });
});

describe('loadFashionMnist', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('names the places it looked when the set is absent', () => {
    vi.stubEnv('ANTIDOTE_FASHION_MNIST', join(dir, 'not-here'));
    expectInputError(
      () => loadFashionMnist(),
      /not found \(looked in .*not-here, \/usr\/share\/datasets\/fashion-mnist\)/,
    );
    expectInputError(() => loadFashionMnist(join(dir, 'nor-here')), /looked in .*nor-here\)/);
  });

  it('loads the official file names from a directory or $ANTIDOTE_FASHION_MNIST', () => {
    const { train, test } = loadFashionMnistSubset();
    const full = join(dir, 'fashion');
    mkdirSync(full);
    saveDataset(join(full, 'train-images-idx3-ubyte.gz'), subset(train, [0, 1, 2]));
    saveDataset(join(full, 't10k-images-idx3-ubyte'), subset(test, [5, 6]));
    const fromDir = loadFashionMnist(full);
    expect(fromDir.train.x.data).toEqual(train.x.data.subarray(0, 3 * 784));
    expect(fromDir.test.y).toEqual(test.y.subarray(5, 7));
    vi.stubEnv('ANTIDOTE_FASHION_MNIST', full);
    expect(loadFashionMnist().train.y).toEqual(train.y.subarray(0, 3));
  });
});
