/** Test helper: analytic gradients of the engine against central finite differences. */
import { expect } from 'vitest';
import { Graph, type Var } from '../../src/engine/autograd.js';
import { Rng } from '../../src/engine/rng.js';
import { sizeOf, type Tensor } from '../../src/engine/tensor.js';

export function randomTensor(shape: number[], rng: Rng, scale = 1): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * scale;
  return { shape, data };
}

/** Values of magnitude at least `gap` (away from the kink of ReLU at 0). */
export function awayFromZero(t: Tensor, gap: number): Tensor {
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sign(t.data[i] || 1) * (Math.abs(t.data[i]) + gap);
  return t;
}

/**
 * Checks d(rᵀ·f(inputs))/d(inputs) from backward against central differences, where r is a random seed
 * vector (so every output element matters). The sum rᵀf is accumulated in float64 from the float32 outputs.
 */
export function checkGradients(
  f: (inputs: Var[]) => Var,
  inputs: Tensor[],
  options: { seed: number; step?: number; tolerance?: number },
): void {
  const step = options.step ?? 1e-2;
  const tolerance = options.tolerance ?? 2e-3;
  const rng = new Rng(options.seed);
  const g = new Graph();
  const run = (): Var => {
    g.reset();
    return f(inputs.map((t) => g.variable(t)));
  };
  const probe = run();
  const weights = Float32Array.from({ length: probe.size }, () => rng.normal());
  const weighted = (): number => {
    const out = run().data;
    let s = 0;
    for (let i = 0; i < out.length; i++) s += weights[i] * out[i];
    return s;
  };

  g.reset();
  const vars = inputs.map((t) => g.variable(t));
  g.backward(f(vars), { seed: weights });
  const analytic = vars.map((v) => Float32Array.from(v.grad ?? new Float32Array(v.size)));

  inputs.forEach((t, k) => {
    for (let i = 0; i < t.data.length; i++) {
      const saved = t.data[i];
      t.data[i] = saved + step;
      const high = t.data[i]; // the float32 actually stored
      const plus = weighted();
      t.data[i] = saved - step;
      const low = t.data[i];
      const minus = weighted();
      t.data[i] = saved;
      const numeric = (plus - minus) / (high - low);
      const a = analytic[k][i];
      const error = Math.abs(a - numeric) / Math.max(1, Math.abs(a), Math.abs(numeric));
      if (error > tolerance) {
        expect.fail(`input ${k}, element ${i}: analytic ${a} vs numeric ${numeric} (error ${error})`);
      }
    }
  });
}
