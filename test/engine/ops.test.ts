import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/autograd.js';
import {
  add,
  broadcastTo,
  flatten,
  mean,
  mul,
  relu,
  reshape,
  scale,
  sigmoid,
  softmax,
  sub,
  sum,
  tanh,
} from '../../src/engine/ops.js';
import { Rng } from '../../src/engine/rng.js';
import { awayFromZero, checkGradients, randomTensor } from './gradient-check.js';

const SEEDS = [1, 2, 3];

describe('elementwise binary ops with broadcasting', () => {
  const shapePairs: [number[], number[]][] = [
    [
      [3, 4],
      [3, 4],
    ],
    [[2, 3, 4], [4]],
    [
      [2, 3, 4],
      [3, 1],
    ],
    [
      [1, 4],
      [3, 1],
    ],
    [[5], []],
  ];
  for (const seed of SEEDS) {
    for (const [sa, sb] of shapePairs) {
      for (const [name, op] of [
        ['add', add],
        ['sub', sub],
        ['mul', mul],
      ] as const) {
        it(`${name} [${sa}] with [${sb}] matches finite differences (seed ${seed})`, () => {
          const rng = new Rng(seed);
          checkGradients(([a, b]) => op(a, b), [randomTensor(sa, rng), randomTensor(sb, rng)], { seed });
        });
      }
    }
  }

  it('computes NumPy-style broadcast values', () => {
    const g = new Graph();
    const a = g.constant({ shape: [2, 1], data: Float32Array.of(1, 2) });
    const b = g.constant({ shape: [3], data: Float32Array.of(10, 20, 30) });
    const c = add(a, b);
    expect(c.shape).toEqual([2, 3]);
    expect(Array.from(c.data)).toEqual([11, 21, 31, 12, 22, 32]);
    expect(Array.from(sub(b, a).data)).toEqual([9, 19, 29, 8, 18, 28]);
    expect(Array.from(mul(a, b).data)).toEqual([10, 20, 30, 20, 40, 60]);
  });

  for (const seed of SEEDS) {
    it(`broadcastTo repeats values and sums the gradient over the repeats (seed ${seed})`, () => {
      const rng = new Rng(seed);
      checkGradients(([x]) => broadcastTo(x, [2, 3, 4]), [randomTensor([3, 1], rng)], { seed });
      const g = new Graph();
      const x = g.constant({ shape: [2, 1], data: Float32Array.of(1, 2) });
      expect(Array.from(broadcastTo(x, [2, 2, 3]).data)).toEqual([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]);
    });
  }

  it('rejects shapes that do not broadcast', () => {
    const g = new Graph();
    const a = g.constant({ shape: [2, 3], data: new Float32Array(6) });
    const b = g.constant({ shape: [2], data: new Float32Array(2) });
    expect(() => add(a, b)).toThrow(/cannot broadcast/);
  });
});

describe('unary ops', () => {
  for (const seed of SEEDS) {
    for (const shape of [[7], [3, 5], [2, 3, 2, 2]]) {
      it(`relu, sigmoid, tanh, scale on [${shape}] match finite differences (seed ${seed})`, () => {
        const rng = new Rng(seed);
        checkGradients(([x]) => relu(x), [awayFromZero(randomTensor(shape, rng), 0.05)], { seed });
        checkGradients(([x]) => sigmoid(x), [randomTensor(shape, rng, 3)], { seed });
        checkGradients(([x]) => tanh(x), [randomTensor(shape, rng, 2)], { seed });
        checkGradients(([x]) => scale(x, -2.5), [randomTensor(shape, rng)], { seed });
      });
    }
  }

  it('computes known values, sigmoid without overflow at extremes', () => {
    const g = new Graph();
    const x = g.constant({ shape: [5], data: Float32Array.of(-1000, -1, 0, 1, 1000) });
    expect(Array.from(relu(x).data)).toEqual([0, 0, 0, 1, 1000]);
    const s = sigmoid(x).data;
    expect(s[0]).toBe(0);
    expect(s[2]).toBe(0.5);
    expect(s[3]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(s[4]).toBe(1);
    expect(tanh(x).data[3]).toBeCloseTo(Math.tanh(1), 6);
  });
});

describe('softmax, reductions and reshape', () => {
  for (const seed of SEEDS) {
    it(`softmax over the last axis matches finite differences (seed ${seed})`, () => {
      const rng = new Rng(seed);
      checkGradients(([x]) => softmax(x), [randomTensor([4, 6], rng, 2)], { seed });
    });
    it(`sum, mean, reshape, flatten match finite differences (seed ${seed})`, () => {
      const rng = new Rng(seed);
      checkGradients(([x]) => sum(mul(x, x)), [randomTensor([3, 4], rng)], { seed });
      checkGradients(([x]) => mean(mul(x, x)), [randomTensor([3, 4], rng)], { seed });
      checkGradients(([x]) => mul(reshape(x, [4, -1]), reshape(x, [4, 3])), [randomTensor([2, 6], rng)], {
        seed,
      });
      checkGradients(([x]) => tanh(flatten(x)), [randomTensor([2, 3, 2, 2], rng)], { seed });
    });
  }

  it('softmax rows sum to one and survive huge logits', () => {
    const g = new Graph();
    const y = softmax(g.constant({ shape: [2, 3], data: Float32Array.of(1000, 1000, -1000, 1, 2, 3) })).data;
    expect(Array.from(y.subarray(0, 3))).toEqual([0.5, 0.5, 0]);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e[0] + e[1] + e[2];
    e.forEach((v, j) => {
      expect(y[3 + j]).toBeCloseTo(v / z, 6);
    });
  });

  it('reshape shares data and rejects impossible shapes', () => {
    const g = new Graph();
    const x = g.constant({ shape: [2, 6], data: new Float32Array(12) });
    expect(reshape(x, [3, -1]).data).toBe(x.data);
    expect(reshape(x, [3, -1]).shape).toEqual([3, 4]);
    expect(() => reshape(x, [5, -1])).toThrow(/cannot view/);
  });
});
