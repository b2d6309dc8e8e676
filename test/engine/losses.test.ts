import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/autograd.js';
import { meanSquaredError, softmaxCrossEntropy } from '../../src/engine/losses.js';
import { Rng } from '../../src/engine/rng.js';
import { checkGradients, randomTensor } from './gradient-check.js';

describe('softmax cross-entropy', () => {
  for (const seed of [1, 2, 3]) {
    for (const reduction of ['mean', 'sum'] as const) {
      it(`matches finite differences, ${reduction} reduction (seed ${seed})`, () => {
        const rng = new Rng(seed);
        const labels = Int32Array.from({ length: 5 }, () => rng.int(4));
        checkGradients(
          ([z]) => softmaxCrossEntropy(z, labels, reduction).loss,
          [randomTensor([5, 4], rng, 3)],
          {
            seed,
          },
        );
      });
    }
  }

  it('gives −log softmax per example, stable for huge logits', () => {
    const g = new Graph();
    const logits = g.constant({ shape: [3, 2], data: Float32Array.of(0, 0, 1000, 0, 2, 1) });
    const { loss, perExample, probabilities } = softmaxCrossEntropy(logits, Int32Array.of(0, 1, 0));
    const third = Math.log(1 + Math.exp(-1));
    expect(perExample[0]).toBeCloseTo(Math.LN2, 6);
    expect(perExample[1]).toBe(1000);
    expect(perExample[2]).toBeCloseTo(third, 6);
    expect(loss.data[0]).toBeCloseTo((Math.LN2 + 1000 + third) / 3, 3);
    expect(probabilities[2]).toBe(1);
    expect(loss.shape).toEqual([]);
  });

  it('rejects labels outside [0, k)', () => {
    const g = new Graph();
    const logits = g.constant({ shape: [1, 2], data: new Float32Array(2) });
    expect(() => softmaxCrossEntropy(logits, Int32Array.of(2))).toThrow(/not in \[0, 2\)/);
  });
});

describe('mean squared error', () => {
  for (const seed of [1, 2, 3]) {
    for (const reduction of ['mean', 'sum'] as const) {
      it(`matches finite differences, ${reduction} reduction (seed ${seed})`, () => {
        const rng = new Rng(seed);
        const target = randomTensor([4, 3], rng).data;
        checkGradients(([p]) => meanSquaredError(p, target, reduction).loss, [randomTensor([4, 3], rng)], {
          seed,
        });
      });
    }
  }

  it('averages squared errors per example and over the batch', () => {
    const g = new Graph();
    const p = g.constant({ shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) });
    const { loss, perExample } = meanSquaredError(p, Float32Array.of(1, 0, 0, 4));
    expect(Array.from(perExample)).toEqual([2, 4.5]);
    expect(loss.data[0]).toBe(3.25);
    expect(meanSquaredError(p, Float32Array.of(1, 0, 0, 4), 'sum').loss.data[0]).toBe(6.5);
  });
});
