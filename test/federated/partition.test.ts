import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { InputError } from '../../src/errors.js';
import { dirichlet, partitionIndices } from '../../src/federated/partition.js';

/** 1,000 labels over 10 classes, 100 each, in a seeded order. */
function labels(seed: number): Int32Array {
  return new Rng(seed).shuffle(Int32Array.from({ length: 1000 }, (_, i) => i % 10));
}

function expectEverySampleOnce(parts: Uint32Array[], n: number): void {
  const seen = new Uint8Array(n);
  for (const part of parts) for (const i of part) seen[i]++;
  expect(seen.every((count) => count === 1)).toBe(true);
}

/** Mean over clients of the number of classes that make up 90% of the client's samples. */
function classesPerClient(parts: Uint32Array[], y: Int32Array): number {
  const counts = parts.map((part) => {
    const perClass = new Array(10).fill(0);
    for (const i of part) perClass[y[i]]++;
    perClass.sort((a, b) => b - a);
    let covered = 0;
    let k = 0;
    while (covered < 0.9 * part.length) covered += perClass[k++];
    return k;
  });
  return counts.reduce((a, b) => a + b, 0) / counts.length;
}

describe('partitions', () => {
  for (const seed of [1, 2, 3]) {
    it(`IID: every sample once, sizes within one, deterministic (seed ${seed})`, () => {
      const y = labels(seed);
      const parts = partitionIndices(y, 7, { kind: 'iid', seed });
      expectEverySampleOnce(parts, y.length);
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(partitionIndices(y, 7, { kind: 'iid', seed })).toEqual(parts);
      expect(partitionIndices(y, 7, { kind: 'iid', seed: seed + 100 })).not.toEqual(parts);
    });

    it(`Dirichlet: every sample once, skew grows as α shrinks, deterministic (seed ${seed})`, () => {
      const y = labels(seed);
      const skewed = partitionIndices(y, 20, { kind: 'dirichlet', alpha: 0.1, seed });
      const mild = partitionIndices(y, 20, { kind: 'dirichlet', alpha: 100, seed });
      expectEverySampleOnce(skewed, y.length);
      expectEverySampleOnce(mild, y.length);
      expect(skewed.every((p) => p.length >= 2)).toBe(true);
      expect(classesPerClient(skewed, y)).toBeLessThan(4);
      expect(classesPerClient(mild, y)).toBeGreaterThan(7);
      expect(partitionIndices(y, 20, { kind: 'dirichlet', alpha: 0.1, seed })).toEqual(skewed);
    });
  }

  it('Dirichlet draws sum to 1 and average 1/k', () => {
    const rng = new Rng(5);
    const mean = new Array(4).fill(0);
    for (let t = 0; t < 2000; t++) {
      const p = dirichlet(rng, 4, 0.5);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      p.forEach((v, i) => {
        mean[i] += v / 2000;
      });
    }
    for (const m of mean) expect(m).toBeCloseTo(0.25, 1);
  });

  it('bad options are InputErrors', () => {
    const y = labels(1);
    expect(() => partitionIndices(y, 0, { kind: 'iid', seed: 1 })).toThrow(InputError);
    expect(() => partitionIndices(y, 2000, { kind: 'iid', seed: 1 })).toThrow(/cannot be spread/);
    expect(() => partitionIndices(y, 5, { kind: 'dirichlet', alpha: -1, seed: 1 })).toThrow(/alpha/);
  });
});
