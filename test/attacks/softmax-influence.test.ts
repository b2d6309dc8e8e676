import { describe, expect, it } from 'vitest';
import {
  conjugateGradient,
  hessianVectorProduct,
  type LinearSoftmax,
  linearSoftmaxOf,
  lossAndGradient,
  mixedGradient,
  probabilities,
  standardize,
} from '../../src/attacks/softmax-influence.js';
import { Rng } from '../../src/engine/rng.js';

function randomModel(seed: number, d = 5, k = 3): LinearSoftmax {
  const rng = new Rng(seed);
  return {
    d,
    k,
    weight: Float64Array.from({ length: d * k }, () => rng.normal()),
    bias: Float64Array.from({ length: k }, () => rng.normal()),
    mean: Float64Array.from({ length: d }, () => rng.normal()),
    invStd: Float64Array.from({ length: d }, () => 0.5 + rng.float()),
  };
}

function randomRows(seed: number, n: number, d: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => 2 * rng.normal());
}

/** The model with its packed parameter vector (W then b) replaced. */
function withParameters(model: LinearSoftmax, theta: Float64Array): LinearSoftmax {
  const split = model.d * model.k;
  return { ...model, weight: theta.slice(0, split), bias: theta.slice(split) };
}

function gradientAt(model: LinearSoftmax, z: Float64Array, y: Int32Array): Float64Array {
  return lossAndGradient(model, z, probabilities(model, z), y).gradient;
}

describe('softmax-regression second-order calculus', () => {
  for (const seed of [1, 2, 3]) {
    it(`gradient and Hessian-vector product match finite differences (seed ${seed})`, () => {
      const model = randomModel(seed);
      const z = standardize(model, randomRows(seed + 10, 7, 5));
      const y = Int32Array.from({ length: 7 }, (_, i) => i % 3);
      const theta = Float64Array.from([...model.weight, ...model.bias]);
      const { loss, gradient } = lossAndGradient(model, z, probabilities(model, z), y);
      const h = 1e-6;
      for (let q = 0; q < theta.length; q++) {
        const plus = theta.slice();
        plus[q] += h;
        const m = withParameters(model, plus);
        const lossPlus = lossAndGradient(m, z, probabilities(m, z), y).loss;
        expect(gradient[q]).toBeCloseTo((lossPlus - loss) / h, 4);
      }
      const rng = new Rng(seed + 20);
      const v = Float64Array.from(theta, () => rng.normal());
      const hv = hessianVectorProduct(model, z, probabilities(model, z), v, 0.5);
      const forward = gradientAt(
        withParameters(
          model,
          theta.map((t, q) => t + h * v[q]),
        ),
        z,
        y,
      );
      const backward = gradientAt(
        withParameters(
          model,
          theta.map((t, q) => t - h * v[q]),
        ),
        z,
        y,
      );
      hv.forEach((value, q) => {
        expect(value).toBeCloseTo((forward[q] - backward[q]) / (2 * h) + 0.5 * v[q], 5);
      });
    });

    it(`mixed gradient ∇ₓ vᵀ∇θℓ(x, y) matches finite differences in x (seed ${seed})`, () => {
      const model = randomModel(seed);
      const x = randomRows(seed + 30, 1, 5);
      const rng = new Rng(seed + 40);
      const v = Float64Array.from({ length: 5 * 3 + 3 }, () => rng.normal());
      const label = seed % 3;
      const inner = (row: Float32Array) => {
        const z = standardize(model, row);
        const g = gradientAt(model, z, Int32Array.of(label));
        return g.reduce((s, gq, q) => s + gq * v[q], 0);
      };
      const z = standardize(model, x);
      const analytic = mixedGradient(model, z, probabilities(model, z), label, v);
      for (let j = 0; j < 5; j++) {
        const h = 1e-3;
        const plus = x.slice();
        const minus = x.slice();
        plus[j] += h;
        minus[j] -= h;
        expect(analytic[j]).toBeCloseTo((inner(plus) - inner(minus)) / (2 * h), 3);
      }
    });
  }

  it('conjugate gradients solve a small SPD system', () => {
    const a = [
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ];
    const apply = (v: Float64Array) =>
      Float64Array.from(a, (row) => row.reduce((s, aij, j) => s + aij * v[j], 0));
    const solution = conjugateGradient(apply, Float64Array.of(1, 2, 3));
    const back = apply(solution);
    [1, 2, 3].forEach((g, i) => {
      expect(back[i]).toBeCloseTo(g, 8);
    });
  });

  it('reads the linear model out of a softmax-regression snapshot and refuses other models', () => {
    const snapshot = {
      architecture: {
        format: 'antidote-model' as const,
        version: 1 as const,
        kind: 'softmax' as const,
        inputShape: [2],
        numClasses: 2,
        layers: [{ type: 'dense' as const, inputs: 2, units: 2 }, { type: 'softmax' as const }],
        standardization: { mean: [1, 2], std: [2, 4] },
      },
      weights: new Map([
        ['layers.0.weight', { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }],
        ['layers.0.bias', { shape: [2], data: Float32Array.of(0.5, -0.5) }],
      ]),
    };
    const model = linearSoftmaxOf(snapshot);
    expect(Array.from(model.invStd)).toEqual([0.5, 0.25]);
    expect(Array.from(standardize(model, Float32Array.of(3, 6)))).toEqual([1, 1]);
    const mlp = {
      ...snapshot,
      architecture: {
        ...snapshot.architecture,
        layers: [
          { type: 'dense' as const, inputs: 2, units: 2 },
          { type: 'relu' as const },
          { type: 'dense' as const, inputs: 2, units: 2 },
        ],
      },
    };
    expect(() => linearSoftmaxOf(mlp)).toThrow(/must be a softmax regression/);
  });
});
