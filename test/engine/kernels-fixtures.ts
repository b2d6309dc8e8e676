// Shared by the kernels*.test.ts files: seeded random data, tolerance checks, and every kernel
// implementation under test.
import { expect } from 'vitest';
import type { Kernels } from '../../src/engine/kernels/backend.js';
import { WasmKernels } from '../../src/engine/kernels/wasm-kernels.js';
import { compileKernels, type WasmBackend } from '../../src/engine/kernels/wasm-module.js';
import { Rng } from '../../src/engine/rng.js';

/** Uniform values in [−scale, scale) from a seeded generator. */
export function randomArray(seed: number, length: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (2 * rng.float() - 1) * scale;
  return out;
}

/** Fails, naming the first offending index, unless |actual[i] − expected[i]| ≤ tolerance[i] for every i. */
export function expectWithin(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number | ArrayLike<number>,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const allowed = typeof tolerance === 'number' ? tolerance : tolerance[i];
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= allowed)) {
      expect.fail(`index ${i}: got ${actual[i]}, expected ${expected[i]} (error ${error} > ${allowed})`);
    }
  }
}

export interface Variant {
  name: string;
  kernels: Kernels;
}

const WASM_BACKENDS: WasmBackend[] = ['wasm-relaxed-simd', 'wasm-simd'];

/**
 * Each WebAssembly variant this engine runs, on each thread count (default 1 and 3: more threads than this
 * 2-core machine has, and partitions that do not divide evenly). The threaded ones split even tiny
 * problems, so the thread partitioning is exercised on every shape; nearestNeighbors works in blocks of
 * 100 distances, so its blocking is too; and no product is left to the TypeScript path for tiny sizes.
 * Call dispose() on them after the tests.
 */
export function wasmVariants(threadCounts = [1, 3]): Variant[] {
  const variants: Variant[] = [];
  for (const backend of WASM_BACKENDS) {
    const module = compileKernels(backend);
    if (module === undefined) continue;
    for (const threads of threadCounts) {
      const tuning = { gemmMacs: 1, streamFloats: 1, neighborBlockFloats: 100, scalarMaxMacs: 0 };
      const kernels = new WasmKernels(module, backend, threads, tuning);
      variants.push({ name: `${backend} × ${threads}`, kernels });
    }
  }
  return variants;
}

/** Fails unless the two arrays hold the same bits (toEqual is slow on large typed arrays). */
export function expectIdentical(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const first = a.findIndex((bits, i) => bits !== b[i]);
  if (first >= 0) expect.fail(`index ${first}: ${actual[first]} differs from ${expected[first]}`);
}
