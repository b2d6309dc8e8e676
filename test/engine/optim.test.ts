import { describe, expect, it } from 'vitest';
import type { Parameter } from '../../src/engine/autograd.js';
import { Adam, type Optimizer, Sgd } from '../../src/engine/optim.js';

/** w = [1, −2]; two steps with the gradients g₁ = [0.5, −1] and g₂ = [0.1, 0.3] (lr 0.1 throughout). */
function twoSteps(make: (params: Parameter[]) => Optimizer): number[][] {
  const p: Parameter = {
    name: 'w',
    value: { shape: [2], data: Float32Array.of(1, -2) },
    grad: new Float32Array(2),
    trainable: true,
  };
  const optimizer = make([p]);
  return [Float32Array.of(0.5, -1), Float32Array.of(0.1, 0.3)].map((g) => {
    p.grad.set(g);
    optimizer.step();
    return Array.from(p.value.data);
  });
}

function expectClose(actual: number[][], expected: number[][]): void {
  for (const [i, row] of actual.entries()) {
    for (const [j, v] of row.entries()) expect(v).toBeCloseTo(expected[i][j], 5);
  }
}

describe('SGD with momentum 0.9', () => {
  it('no weight decay: v₁ = g₁, w₁ = w₀ − 0.1·v₁; v₂ = 0.9·v₁ + g₂', () => {
    // v₁ = [0.5, −1] → w₁ = [0.95, −1.9]; v₂ = [0.55, −0.6] → w₂ = [0.895, −1.84]
    expectClose(
      twoSteps((ps) => new Sgd(ps, { learningRate: 0.1, momentum: 0.9 })),
      [
        [0.95, -1.9],
        [0.895, -1.84],
      ],
    );
  });

  it('L2 weight decay 0.1 adds 0.1·w to the gradient before momentum', () => {
    // d₁ = g₁ + 0.1·w₀ = [0.6, −1.2] → w₁ = [0.94, −1.88]
    // d₂ = g₂ + 0.1·w₁ = [0.194, 0.112]; v₂ = 0.9·d₁ + d₂ = [0.734, −0.968] → w₂ = [0.8666, −1.7832]
    expectClose(
      twoSteps((ps) => new Sgd(ps, { learningRate: 0.1, momentum: 0.9, weightDecay: 0.1 })),
      [
        [0.94, -1.88],
        [0.8666, -1.7832],
      ],
    );
  });

  it('decoupled weight decay 0.1 shrinks w outside the momentum (SGDW)', () => {
    // w₁ = w₀ − 0.1·(g₁ + 0.1·w₀) = [0.94, −1.88]; v₂ = [0.55, −0.6]
    // w₂ = w₁ − 0.1·(v₂ + 0.1·w₁) = [0.94 − 0.0644, −1.88 + 0.0788] = [0.8756, −1.8012]
    expectClose(
      twoSteps(
        (ps) =>
          new Sgd(ps, { learningRate: 0.1, momentum: 0.9, weightDecay: 0.1, decoupledWeightDecay: true }),
      ),
      [
        [0.94, -1.88],
        [0.8756, -1.8012],
      ],
    );
  });

  it('without momentum is plain gradient descent, and skips frozen parameters', () => {
    const p: Parameter = {
      name: 'w',
      value: { shape: [1], data: Float32Array.of(3) },
      grad: Float32Array.of(2),
      trainable: true,
    };
    const frozen: Parameter = { ...p, value: { shape: [1], data: Float32Array.of(3) }, trainable: false };
    const sgd = new Sgd([p, frozen], { learningRate: 0.25 });
    sgd.step();
    expect(p.value.data[0]).toBe(2.5);
    expect(frozen.value.data[0]).toBe(3);
  });
});

describe('Adam (β₁ 0.9, β₂ 0.999, ε 1e-8)', () => {
  it('no weight decay: the first step moves each weight by lr·sign(g); the second by lr·m̂/√v̂', () => {
    // Step 2, element 0: m = 0.9·0.05 + 0.1·0.1 = 0.055, m̂ = 0.055/0.19 = 0.289474;
    // v = 0.999·0.00025 + 0.001·0.01 = 0.00025975, v̂ = v/0.001999 = 0.129940, √v̂ = 0.360472;
    // w₂ = 0.9 − 0.1·0.289474/0.360472 = 0.819696. Element 1 likewise: −1.857215.
    expectClose(
      twoSteps((ps) => new Adam(ps, { learningRate: 0.1 })),
      [
        [0.9, -1.9],
        [0.819696, -1.857215],
      ],
    );
  });

  it('L2 weight decay 0.1 enters the moments (gradients g + 0.1·w)', () => {
    // Step 1 is still lr·sign(g₁ + 0.1·w₀) = lr·sign([0.6, −1.2]); step 2 uses g₂ + 0.1·w₁ = [0.19, 0.11].
    expectClose(
      twoSteps((ps) => new Adam(ps, { learningRate: 0.1, weightDecay: 0.1 })),
      [
        [0.9, -1.9],
        [0.813648, -1.84007],
      ],
    );
  });

  it('decoupled weight decay 0.1 (AdamW) multiplies w by 1 − lr·λ = 0.99 before each update', () => {
    // w₁ = 0.99·[1, −2] − 0.1·sign(g₁) = [0.89, −1.88]; w₂ = 0.99·w₁ − (the no-decay step-2 update).
    expectClose(
      twoSteps((ps) => new Adam(ps, { learningRate: 0.1, weightDecay: 0.1, decoupledWeightDecay: true })),
      [
        [0.89, -1.88],
        [0.800796, -1.818415],
      ],
    );
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => new Adam([], { learningRate: 0 })).toThrow(/learning rate/);
    expect(() => new Adam([], { beta1: 1 })).toThrow(/beta1/);
    expect(() => new Sgd([], { learningRate: 0.1, momentum: -0.5 })).toThrow(/momentum/);
    expect(() => new Sgd([], { learningRate: 0.1, weightDecay: -1 })).toThrow(/weight decay/);
  });
});
