import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/autograd.js';
import { dense } from '../../src/engine/dense.js';
import { Rng } from '../../src/engine/rng.js';
import { checkGradients, randomTensor } from './gradient-check.js';

describe('dense', () => {
  for (const seed of [1, 2, 3]) {
    for (const [n, inDim, outDim] of [
      [1, 1, 1],
      [4, 3, 5],
      [7, 9, 2],
    ]) {
      it(`x[${n}, ${inDim}]·W + b matches finite differences (seed ${seed})`, () => {
        const rng = new Rng(seed);
        const inputs = [
          randomTensor([n, inDim], rng),
          randomTensor([inDim, outDim], rng),
          randomTensor([outDim], rng),
        ];
        checkGradients(([x, w, b]) => dense(x, w, b), inputs, { seed });
        checkGradients(([x, w]) => dense(x, w, null), inputs.slice(0, 2), { seed });
      });
    }
  }

  it('computes x·W + b', () => {
    const g = new Graph();
    const x = g.constant({ shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) });
    const w = g.constant({ shape: [2, 3], data: Float32Array.of(1, 0, -1, 2, 1, 0) });
    const b = g.constant({ shape: [3], data: Float32Array.of(0.5, 0, 1) });
    expect(Array.from(dense(x, w, b).data)).toEqual([5.5, 2, 0, 11.5, 4, -2]);
  });

  it('rejects an input that does not fit the weight', () => {
    const g = new Graph();
    const x = g.constant({ shape: [2, 3], data: new Float32Array(6) });
    const w = g.constant({ shape: [2, 3], data: new Float32Array(6) });
    expect(() => dense(x, w, null)).toThrow(/does not fit/);
  });
});
