import { afterAll, describe, expect, it } from 'vitest';
import { allocateKernelArray, matvec, releaseKernelArray } from '../../src/engine/kernels/index.js';
import { jsKernels } from '../../src/engine/kernels/js-kernels.js';
import {
  matmulReference,
  matvecReference,
  pairwiseSquaredDistancesReference,
} from '../../src/engine/kernels/reference.js';
import { expectWithin, randomArray, wasmVariants } from './kernels-fixtures.js';

const variants = [{ name: 'js', kernels: jsKernels }, ...wasmVariants()];
afterAll(() => {
  for (const v of variants) v.kernels.dispose();
});

describe.each(variants)('kernel arrays on $name', ({ kernels }) => {
  function resident(values: Float32Array): Float32Array {
    const array = kernels.allocate(values.length);
    expect(array.every((v) => v === 0)).toBe(true);
    array.set(values);
    return array;
  }

  it('matvec reads a resident matrix and vector and writes a resident output, plain and transposed', () => {
    for (const [m, n] of [
      [3, 5],
      [70, 33],
      [300, 257],
    ]) {
      for (const trans of [false, true]) {
        const a = randomArray(m + n, m * n);
        const x = randomArray(m * n, trans ? m : n);
        const expected = new Float32Array(trans ? n : m);
        matvecReference(a, x, expected, m, n, trans);
        const [ra, rx, ry] = [resident(a), resident(x), resident(new Float32Array(expected.length))];
        kernels.matvec(ra, rx, ry, m, n, trans);
        expectWithin(ry, expected, 1e-4);
        expect(ra).toEqual(a);
        for (const array of [ra, rx, ry]) kernels.release(array);
      }
    }
  });

  it('keeps resident contents across other kernel calls and accumulates into a resident output', () => {
    const m = 40;
    const k = 24;
    const a = randomArray(1, m * k);
    const b = randomArray(2, k * k);
    const ra = resident(a);
    const rb = resident(b);
    // Scratch-heavy calls in between must not touch the resident arrays.
    kernels.pairwiseSquaredDistances(
      randomArray(3, 500 * 20),
      500,
      20,
      undefined,
      500,
      new Float32Array(500 * 500),
    );
    expect(ra).toEqual(a);
    expect(rb).toEqual(b);
    const expected = new Float32Array(m * k);
    matmulReference(a, b, expected, m, k, k, {});
    const rc = resident(expected);
    kernels.matmul(ra, rb, rc, m, k, k, { accumulate: true });
    expectWithin(
      rc,
      expected.map((v) => 2 * v),
      2e-4,
    );
    for (const array of [ra, rb, rc]) kernels.release(array);
  });

  it('writes pairwise distances into a resident output in place, and into a plain one', () => {
    for (const [n, m, d] of [
      [7, 7, 5],
      [130, 70, 33],
    ]) {
      const x = randomArray(n, n * d);
      const y = n === m ? undefined : randomArray(m, m * d);
      const expected = pairwiseSquaredDistancesReference(x, n, d, y ?? x, m);
      const resident = kernels.allocate(n * m);
      expect(kernels.pairwiseSquaredDistances(x, n, d, y, m, resident)).toBe(resident);
      expectWithin(resident, expected, 1e-3);
      const plain = new Float32Array(n * m);
      expect(kernels.pairwiseSquaredDistances(x, n, d, y, m, plain)).toBe(plain);
      expectWithin(plain, expected, 1e-3);
      kernels.release(resident);
    }
  });

  it('reuses released space, and ignores arrays it did not allocate', () => {
    const first = kernels.allocate(1000);
    const second = kernels.allocate(1000);
    second.fill(7);
    kernels.release(first);
    const again = kernels.allocate(500);
    expect(again.every((v) => v === 0)).toBe(true);
    expect(second.every((v) => v === 7)).toBe(true);
    if (kernels.backend !== 'js') expect(again.byteOffset).toBe(first.byteOffset);
    expect(() => kernels.release(new Float32Array(10))).not.toThrow();
    for (const array of [second, again]) kernels.release(array);
    expect(kernels.allocate(0).length).toBe(0);
  });
});

describe('allocateKernelArray (entry point)', () => {
  it('gives arrays the active kernels use in place', () => {
    const a = allocateKernelArray(6);
    a.set([1, 2, 3, 4, 5, 6]);
    const x = Float32Array.of(1, 0, -1);
    const y = allocateKernelArray(2);
    matvec(a, x, y, 2, 3);
    expect([...y]).toEqual([-2, -2]);
    releaseKernelArray(a);
    releaseKernelArray(y);
    expect(() => allocateKernelArray(-1)).toThrow(RangeError);
  });
});
