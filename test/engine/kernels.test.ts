import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  availableBackends,
  type ConvGeometry,
  col2im,
  im2col,
  kernelInfo,
  matmul,
  matvec,
  nearestNeighbors,
  pairwiseSquaredDistances,
  setBackend,
  setThreads,
  topEigenvectors,
} from '../../src/engine/kernels/index.js';
import { matmulReference, pairwiseSquaredDistancesReference } from '../../src/engine/kernels/reference.js';
import { ThreadPool } from '../../src/engine/kernels/thread-pool.js';
import {
  compileKernels,
  createSharedMemory,
  instantiateKernels,
} from '../../src/engine/kernels/wasm-module.js';
import { expectWithin, randomArray } from './kernels-fixtures.js';

const defaultBackend = availableBackends()[0];
afterEach(() => {
  setBackend(defaultBackend);
  setThreads(availableParallelism());
});

describe('kernel runtime', () => {
  it('uses the fastest available backend on all cores by default', () => {
    expect(availableBackends().at(-1)).toBe('js');
    expect(kernelInfo()).toEqual({ backend: defaultBackend, threads: availableParallelism() });
  });

  it('runs WebAssembly with relaxed SIMD on Node ≥ 20 (behind the V8 flag it sets on Node 20)', () => {
    expect(availableBackends()).toEqual(['wasm-relaxed-simd', 'wasm-simd', 'js']);
  });

  it('switches backend and thread count, and rejects bad values', () => {
    setThreads(1);
    expect(kernelInfo().threads).toBe(1);
    setBackend('js');
    expect(kernelInfo()).toEqual({ backend: 'js', threads: 1 });
    expect(() => setThreads(0)).toThrow(RangeError);
    expect(() => setThreads(1.5)).toThrow(/positive integer/);
    expect(() => setBackend('gpu' as 'js')).toThrow(/unknown backend "gpu"/);
  });

  it.each(availableBackends())(
    'computes a product large enough to be split over threads on %s',
    (backend) => {
      setBackend(backend);
      const [m, n, k] = [300, 200, 250];
      const a = randomArray(1, m * k);
      const b = randomArray(2, k * n);
      const c = new Float32Array(m * n);
      const expected = new Float32Array(m * n);
      matmulReference(a, b, expected, m, n, k);
      matmul(a, b, c, m, n, k);
      expectWithin(c, expected, 1e-4);
    },
  );
});

describe('kernel argument checks', () => {
  const a = new Float32Array(6);
  it('rejects sizes that are negative or not integers, and arrays too short for them', () => {
    expect(() => matmul(a, a, a, 2, 3, -1)).toThrow('matmul: k must be a non-negative integer, got -1');
    expect(() => matmul(a, a, a, 2, 1.5, 1)).toThrow(/n must be a non-negative integer/);
    expect(() => matmul(a, a, a, 2, 3, 4)).toThrow('matmul: A has 6 values, needs 8');
    expect(() => matmul(a, new Float32Array(11), a, 2, 3, 4)).toThrow('matmul: A has 6 values, needs 8');
    expect(() => matvec(a, a, new Float32Array(1), 2, 3)).toThrow('matvec: y has 1 values, needs 2');
    expect(() => matvec(a, new Float32Array(2), a, 2, 3, true)).not.toThrow();
    expect(() => matmul([1, 2] as unknown as Float32Array, a, a, 1, 1, 1)).toThrow(TypeError);
  });

  it('infers the rows of y in pairwiseSquaredDistances and checks them', () => {
    const x = randomArray(3, 4 * 3);
    const y = randomArray(4, 5 * 3);
    const got = pairwiseSquaredDistances(x, 4, 3, { y });
    expectWithin(got, pairwiseSquaredDistancesReference(x, 4, 3, y, 5), 1e-5);
    expect(() => pairwiseSquaredDistances(x, 4, 3, { y: y.subarray(0, 14) })).toThrow(
      /m must be a non-negative integer/,
    );
    expect(() => pairwiseSquaredDistances(x, 4, 3, { y, m: 6 })).toThrow(
      'pairwiseSquaredDistances: y has 15 values, needs 18',
    );
  });

  it('checks k and infers the rows of y in nearestNeighbors', () => {
    const x = randomArray(6, 5 * 2);
    expect(() => nearestNeighbors(x, 5, 2, 5)).toThrow(
      'nearestNeighbors: k must be between 1 and 4 here, got 5',
    );
    expect(() => nearestNeighbors(x, 5, 2, 0)).toThrow(RangeError);
    expect(() => nearestNeighbors(x, 5, 2, 4, { y: x.subarray(0, 6) })).toThrow(/between 1 and 3/);
    const { indices } = nearestNeighbors(x, 5, 2, 3, { y: x });
    for (let i = 0; i < 5; i++) expect(indices[i * 3]).toBe(i); // each row is its own nearest row of y
    expect(nearestNeighbors(new Float32Array(0), 0, 2, 3).indices).toHaveLength(0);
  });

  it('checks the convolution geometry', () => {
    const g: ConvGeometry = {
      batch: 1,
      channels: 1,
      height: 4,
      width: 4,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      outH: 2,
      outW: 2,
    };
    expect(() => im2col(new Float32Array(16), g, new Float32Array(36))).not.toThrow();
    expect(() => im2col(new Float32Array(16), { ...g, outW: 3 }, new Float32Array(54))).toThrow(
      'im2col: output 2×3 should be 2×2 for this geometry',
    );
    expect(() => im2col(new Float32Array(16), { ...g, kernelH: 5, outH: 0 }, a)).toThrow(/does not fit/);
    expect(() => col2im(new Float32Array(35), g, new Float32Array(16))).toThrow(
      'col2im: cols has 35 values, needs 36',
    );
    expect(() => im2col(new Float32Array(16), { ...g, strideW: 0 }, a)).toThrow(/at least 1/);
  });

  it('checks k, n and the options of topEigenvectors', () => {
    const x = randomArray(5, 10 * 4);
    expect(() => topEigenvectors(x, 10, 4, 5)).toThrow(
      'topEigenvectors: need 1 ≤ k ≤ d and n ≥ 1, got n=10, d=4, k=5',
    );
    expect(() => topEigenvectors(x, 10, 4, 0)).toThrow(RangeError);
    expect(() => topEigenvectors(x, 0, 4, 1)).toThrow(RangeError);
    expect(() => topEigenvectors(x, 10, 4, 1, { iterations: -1 })).toThrow(/iterations/);
    expect(() => topEigenvectors(x, 10, 4, 1, { tolerance: Number.NaN })).toThrow(/tolerance/);
    expect(topEigenvectors(x, 10, 4, 2).vectors).toHaveLength(8);
  });
});

describe('ThreadPool', () => {
  it('reports a fault in a worker thread as an error on the calling thread', () => {
    const module = compileKernels('wasm-simd');
    if (module === undefined) expect.fail('WebAssembly SIMD is unavailable');
    const memory = createSharedMemory(1);
    const main = instantiateKernels(module, memory) as Record<string, (...args: number[]) => void>;
    const pool = new ThreadPool(module, memory, ['subtractRow'], 1);
    try {
      // subtractRow over 2 rows of 4 floats: row 0 (this thread's) is the last 16 bytes of the 64 KiB memory,
      // row 1 (the worker's) lies past its end.
      const args = [65536 - 16, 2, 4, 1024];
      expect(() => pool.run(0, main.subtractRow, args, 2)).toThrow(
        /kernel subtractRow failed in a worker thread: RuntimeError: memory access out of bounds/,
      );
      expect(() => pool.run(0, main.subtractRow, [65536 - 32, 2, 4, 1024], 2)).not.toThrow();
    } finally {
      pool.close();
    }
  });

  it('fails to start, with the reason, when the workers cannot instantiate the module', () => {
    // A module importing a function env.f, which the kernels' imports do not provide.
    const bytes = Uint8Array.from([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x09, 0x01,
      0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00,
    ]);
    const api = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } })
      .WebAssembly;
    expect(() => new ThreadPool(new api.Module(bytes), createSharedMemory(1), [], 1)).toThrow(
      /kernel worker threads did not start: LinkError/,
    );
  });
});

describe('ANTIDOTE_KERNELS', () => {
  const script = (backend: string) => {
    const code = `import('./src/engine/kernels/index.js').then((k) => {
      try { console.log(JSON.stringify(k.kernelInfo())); } catch (e) { console.log(e.name + ': ' + e.message); }
    })`;
    const env = { ...process.env, ANTIDOTE_KERNELS: backend };
    return execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { env, encoding: 'utf8' }).trim();
  };

  it('forces a backend, and names itself when it holds an unknown one', () => {
    expect(JSON.parse(script('wasm-simd')).backend).toBe('wasm-simd');
    expect(script('cuda')).toBe(
      'InputError: field "ANTIDOTE_KERNELS": unknown backend "cuda"; expected one of wasm-relaxed-simd, wasm-simd, js',
    );
  });
});
