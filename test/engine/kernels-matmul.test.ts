import { afterAll, describe, expect, it } from 'vitest';
import { matmulReference } from '../../src/engine/kernels/reference.js';
import type { MatmulOptions } from '../../src/engine/kernels/types.js';
import { expectIdentical, expectWithin, randomArray, wasmVariants } from './kernels-fixtures.js';

// 4 threads cut C into a 2 × 2 grid when it is about square, 3 into stripes.
const variants = wasmVariants([1, 3, 4]);
afterAll(() => {
  for (const v of variants) v.kernels.dispose();
});

// Tiny, odd, tile-multiple and larger shapes; 5×9×513 crosses two KC=256 blocks, 9×2100×3 the NC=2048
// panel, 257×… the MC=128 block; m < n and m ≥ n pick different thread splits.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 33, 65],
  [4, 8, 256],
  [5, 9, 513],
  [9, 2100, 3],
  [130, 6, 40],
  [257, 129, 300],
];
const OPTIONS: MatmulOptions[] = [];
for (const transA of [false, true]) {
  for (const transB of [false, true]) {
    for (const accumulate of [false, true]) OPTIONS.push({ transA, transB, accumulate });
  }
}

function inputs(m: number, n: number, k: number, seed: number) {
  return {
    a: randomArray(seed, m * k),
    b: randomArray(seed + 1, k * n),
    c0: randomArray(seed + 2, m * n, 10),
  };
}

const solved = new Map<string, ReturnType<typeof solve>>();

/** Inputs for C (+)= op(A)·op(B), the reference answer and a float32 error bound per entry (memoised). */
function problem(m: number, n: number, k: number, opts: MatmulOptions, seed: number) {
  const key = JSON.stringify([m, n, k, opts, seed]);
  if (!solved.has(key)) solved.set(key, solve(m, n, k, opts, seed));
  return solved.get(key)!;
}

function solve(m: number, n: number, k: number, opts: MatmulOptions, seed: number) {
  const { a, b, c0 } = inputs(m, n, k, seed);
  const expected = c0.slice();
  matmulReference(a, b, expected, m, n, k, opts);
  // Rounding error of a float32 dot product is bounded by a small multiple of Σ|a||b| (plus |c| when adding).
  const bound = new Float32Array(m * n);
  matmulReference(a.map(Math.abs), b.map(Math.abs), bound, m, n, k, opts);
  const tolerance = bound.map((v, i) => 1e-5 * v + (opts.accumulate ? 1e-6 * Math.abs(c0[i]) : 0) + 1e-7);
  return { a, b, c0, expected, tolerance };
}

describe.each(variants)('matmul on $name', ({ kernels }) => {
  it.each(SHAPES)('matches the reference for %i×%i×%i, every transpose and accumulate', (m, n, k) => {
    OPTIONS.forEach((opts, o) => {
      const { a, b, c0, expected, tolerance } = problem(m, n, k, opts, 100 * m + o);
      const c = c0.slice();
      kernels.matmul(a, b, c, m, n, k, opts);
      expectWithin(c, expected, tolerance);
    });
  });

  it('agrees with the reference on several seeds of an odd shape', () => {
    for (const seed of [1, 2, 3, 4]) {
      const { a, b, c0, expected, tolerance } = problem(31, 47, 29, { transB: true }, seed);
      const c = c0.slice();
      kernels.matmul(a, b, c, 31, 47, 29, { transB: true });
      expectWithin(c, expected, tolerance);
    }
  });

  it('reads operands from views into larger buffers and writes only m×n of C', () => {
    const big = randomArray(5, 1000);
    const a = big.subarray(7, 7 + 6 * 5);
    const b = big.subarray(300, 300 + 5 * 4);
    const c = new Float32Array(6 * 4 + 3).fill(-1);
    const expected = new Float32Array(6 * 4);
    matmulReference(a, b, expected, 6, 4, 5);
    kernels.matmul(a, b, c, 6, 4, 5, {});
    expectWithin(c.subarray(0, 24), expected, 1e-5);
    expect(Array.from(c.subarray(24))).toEqual([-1, -1, -1]);
  });

  it('handles empty dimensions: k = 0 zeroes C (or leaves it when accumulating)', () => {
    const c = Float32Array.from([1, 2, 3, 4]);
    kernels.matmul(new Float32Array(0), new Float32Array(0), c, 2, 2, 0, { accumulate: true });
    expect(Array.from(c)).toEqual([1, 2, 3, 4]);
    kernels.matmul(new Float32Array(0), new Float32Array(0), c, 2, 2, 0, {});
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
    kernels.matmul(new Float32Array(0), new Float32Array(6), c, 0, 2, 3, {});
  });
});

describe('matmul threading', () => {
  it('gives bit-identical results on 1, 3 and 4 threads (each entry is summed in the same order)', () => {
    const byBackend = new Map<string, Float32Array[]>();
    for (const { name, kernels } of variants) {
      const backend = name.split(' ')[0];
      expect(`${kernels.threads}`).toBe(name.split(' × ')[1]); // the worker threads started
      const outputs = OPTIONS.map((opts, o) => {
        const { a, b, c0 } = inputs(257, 129, 300, 7 + o);
        const c = c0.slice();
        kernels.matmul(a, b, c, 257, 129, 300, opts);
        return c;
      });
      byBackend.set(backend, [...(byBackend.get(backend) ?? []), ...outputs]);
    }
    for (const outputs of byBackend.values()) {
      for (let i = OPTIONS.length; i < outputs.length; i++)
        expectIdentical(outputs[i], outputs[i % OPTIONS.length]);
    }
  });
});
