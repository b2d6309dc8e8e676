import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/engine/autograd.js';
import { add, mul, relu, sum } from '../../src/engine/ops.js';

const t = (...values: number[]) => ({ shape: [values.length], data: Float32Array.from(values) });

describe('Graph', () => {
  it('differentiates a composite expression (known answer)', () => {
    // f(x, y) = Σ relu(x·y + x); with positive values ∂f/∂x = y + 1 and ∂f/∂y = x.
    const g = new Graph();
    const x = g.variable(t(1, 2, 3));
    const y = g.variable(t(4, 5, 6));
    g.backward(sum(relu(add(mul(x, y), x))));
    expect(Array.from(x.grad!)).toEqual([5, 6, 7]);
    expect(Array.from(y.grad!)).toEqual([1, 2, 3]);
  });

  it('sums the gradients of a node used twice', () => {
    const g = new Graph();
    const x = g.variable(t(3));
    g.backward(sum(mul(x, x))); // d(x²)/dx = 2x
    expect(x.grad![0]).toBe(6);
  });

  it('accumulates leaf gradients over backward calls without doubling intermediate ones', () => {
    const g = new Graph();
    const x = g.variable(t(2));
    const y = sum(mul(x, x));
    g.backward(y);
    g.backward(y);
    expect(x.grad![0]).toBe(8);
  });

  it('gives no gradient to constants and nodes off the path', () => {
    const g = new Graph();
    const c = g.constant(t(1, 2));
    const x = g.variable(t(3, 4));
    const unused = g.variable(t(5, 6));
    g.backward(sum(mul(c, x)));
    expect(c.grad).toBeNull();
    expect(unused.grad).toBeNull();
    expect(Array.from(x.grad!)).toEqual([1, 2]);
  });

  it('reuses its buffers after reset when the same computation runs again', () => {
    const g = new Graph();
    const step = () => {
      g.reset();
      const x = g.variable(t(1, -2, 3));
      const y = relu(mul(x, x));
      g.backward(sum(y));
      return [y.data.buffer, x.grad!.buffer];
    };
    const first = step();
    const second = step();
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
  });

  it('refuses Vars from a reset or a different graph', () => {
    const g = new Graph();
    const x = g.variable(t(1));
    g.reset();
    expect(() => relu(x)).toThrow(/after its graph was reset/);
    const other = new Graph().variable(t(1));
    expect(() => add(g.variable(t(1)), other)).toThrow(/another graph/);
  });

  it('needs a seed for a non-scalar output and something to differentiate', () => {
    const g = new Graph();
    const x = g.variable(t(1, 2));
    expect(() => g.backward(relu(x))).toThrow(/seed/);
    g.backward(relu(x), { seed: Float32Array.of(2, 3) });
    expect(Array.from(x.grad!)).toEqual([2, 3]);
    expect(() => g.backward(relu(g.constant(t(1))))).toThrow(/does not depend/);
  });
});
