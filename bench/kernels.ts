/**
 * Kernel throughput against NumPy (OpenBLAS) on the same machine: GEMM (square and the three products of a
 * 784→256 dense layer on a batch of 128), pairwise distances, k nearest neighbours, matrix-vector
 * products, the power iteration behind spectral signatures and im2col; then the single- vs multi-thread crossover that sets the
 * thresholds in src/engine/kernels/wasm-kernels.ts. Times are the best of several runs.
 * Run alone with `npx tsx bench/kernels.ts`.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import {
  allocateKernelArray,
  type ConvGeometry,
  convOutputSize,
  im2col,
  kernelInfo,
  type MatmulOptions,
  matmul,
  matvec,
  nearestNeighbors,
  pairwiseSquaredDistances,
  setThreads,
  topEigenvectors,
} from '../src/engine/kernels/index.js';
import { WasmKernels } from '../src/engine/kernels/wasm-kernels.js';
import { compileKernels } from '../src/engine/kernels/wasm-module.js';
import { Rng } from '../src/engine/rng.js';
import { printTable } from './table.js';

type Case =
  | { id: string; kind: 'gemm'; m: number; n: number; k: number; transA: boolean; transB: boolean }
  // resident: A, x and y in kernel memory (allocateKernelArray), as NumPy's arrays are in its own; else copied in per call.
  | { id: string; kind: 'matvec'; m: number; n: number; trans: boolean; resident: boolean }
  // into: a kernel array reused across runs (allocateKernelArray), else a new result array per call.
  | { id: string; kind: 'pairwise'; n: number; d: number; into: boolean }
  | { id: string; kind: 'knn'; n: number; d: number; k: number }
  | { id: string; kind: 'eigen'; n: number; d: number; iterations: number }
  | { id: string; kind: 'im2col'; g: ConvGeometry };

// The same cases in NumPy, timed the same way (best of ≥ 3 runs and ≥ 0.4 s), printed as JSON {id: ms}.
const NUMPY_SCRIPT = `
import json, sys, time
import numpy as np
rng = np.random.default_rng(0)
def best(fn):
    fn()
    times, start = [], time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < 0.4:
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return min(times) * 1000
def rand(*shape):
    return rng.standard_normal(shape, dtype=np.float32)
def power(x, iterations):
    xc = x - x.mean(axis=0)
    v = np.ones(x.shape[1], dtype=np.float32)
    for _ in range(iterations):
        v = xc.T @ (xc @ v)
        v /= np.linalg.norm(v)
    return v
def knn(x, k):
    sq = (x * x).sum(1)
    d = sq[:, None] + sq[None, :] - 2 * (x @ x.T)
    np.fill_diagonal(d, np.inf)
    nearest = np.argpartition(d, k, axis=1)[:, :k]
    rows = np.arange(len(x))[:, None]
    return nearest[rows, np.argsort(d[rows, nearest], axis=1)]
out = {}
for c in json.load(sys.stdin):
    if c['kind'] == 'gemm':
        a = rand(c['k'], c['m']).T if c['transA'] else rand(c['m'], c['k'])
        b = rand(c['n'], c['k']).T if c['transB'] else rand(c['k'], c['n'])
        out[c['id']] = best(lambda: a @ b)
    elif c['kind'] == 'matvec':
        a, x = rand(c['m'], c['n']), rand(c['m'] if c['trans'] else c['n'])
        out[c['id']] = best(lambda: a.T @ x if c['trans'] else a @ x)
    elif c['kind'] == 'pairwise':
        x = rand(c['n'], c['d'])
        out[c['id']] = best(lambda: np.maximum((x * x).sum(1)[:, None] + (x * x).sum(1)[None, :] - 2 * (x @ x.T), 0))
    elif c['kind'] == 'knn':
        x = rand(c['n'], c['d'])
        out[c['id']] = best(lambda: knn(x, c['k']))
    elif c['kind'] == 'eigen':
        x = rand(c['n'], c['d'])
        out[c['id']] = best(lambda: power(x, c['iterations']))
print(json.dumps(out))
`;

/** NumPy's time (ms) for each case, or undefined when python3 with NumPy is not available. */
function numpyTimes(cases: Case[]): Record<string, number> | undefined {
  const result = spawnSync('python3', ['-c', NUMPY_SCRIPT], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  if (result.status !== 0) return undefined;
  return JSON.parse(result.stdout) as Record<string, number>;
}

/** Best wall time (ms) of `fn` over at least 3 runs and 0.4 s, after one warm-up run. */
function bestTime(fn: () => void): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  const start = performance.now();
  for (let runs = 0; runs < 3 || performance.now() - start < 400; runs++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function random(length: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => rng.normal());
}

/** A runnable closure for one case with our kernels. */
function prepare(c: Case): () => void {
  switch (c.kind) {
    case 'gemm': {
      const a = random(c.m * c.k, 1);
      const b = random(c.k * c.n, 2);
      const out = new Float32Array(c.m * c.n);
      const opts: MatmulOptions = { transA: c.transA, transB: c.transB };
      return () => matmul(a, b, out, c.m, c.n, c.k, opts);
    }
    case 'matvec': {
      const place = (values: Float32Array) => {
        if (!c.resident) return values;
        const array = allocateKernelArray(values.length);
        array.set(values);
        return array;
      };
      const a = place(random(c.m * c.n, 3));
      const x = place(random(c.trans ? c.m : c.n, 4));
      const y = place(new Float32Array(c.trans ? c.n : c.m));
      return () => matvec(a, x, y, c.m, c.n, c.trans);
    }
    case 'pairwise': {
      const x = random(c.n * c.d, 5);
      const out = c.into ? allocateKernelArray(c.n * c.n) : undefined;
      return () => pairwiseSquaredDistances(x, c.n, c.d, { out });
    }
    case 'knn': {
      const x = random(c.n * c.d, 10);
      return () => nearestNeighbors(x, c.n, c.d, c.k);
    }
    case 'eigen': {
      const x = random(c.n * c.d, 6);
      return () => topEigenvectors(x, c.n, c.d, 1, { iterations: c.iterations, tolerance: 0 });
    }
    case 'im2col': {
      const { g } = c;
      const input = random(g.batch * g.channels * g.height * g.width, 7);
      const cols = new Float32Array(g.batch * g.outH * g.outW * g.channels * g.kernelH * g.kernelW);
      return () => im2col(input, g, cols);
    }
  }
}

/** Floating-point operations of a case (for GFLOP/s), counted as NumPy's formulation performs them. */
function flops(c: Case): number {
  switch (c.kind) {
    case 'gemm':
      return 2 * c.m * c.n * c.k;
    case 'matvec':
      return 2 * c.m * c.n;
    case 'pairwise':
    case 'knn':
      return 2 * c.n * c.n * c.d;
    case 'eigen':
      return 4 * c.n * c.d * c.iterations;
    case 'im2col':
      return 0; // a copy: see the time
  }
}

function describeCase(c: Case): string {
  switch (c.kind) {
    case 'gemm':
      return `gemm ${c.m}×${c.n}×${c.k}${c.transA ? ' Aᵀ' : ''}${c.transB ? ' Bᵀ' : ''}`;
    case 'matvec':
      return `matvec ${c.trans ? 'Aᵀx' : 'Ax'}, A ${c.m}×${c.n}${c.resident ? ', kernel arrays' : ', A copied in'}`;
    case 'pairwise':
      return `pairwise distances ${c.n}×${c.n}, d=${c.d}${c.into ? ', into a kernel array' : ', new array'}`;
    case 'knn':
      return `${c.k} nearest neighbours ${c.n}×${c.n}, d=${c.d}`;
    case 'eigen':
      return `top eigenvector ${c.n}×${c.d}, ${c.iterations} its`;
    case 'im2col':
      return `im2col ${c.g.batch}×${c.g.channels}×${c.g.height}×${c.g.width}, ${c.g.kernelH}×${c.g.kernelW} pad ${c.g.padH}`;
  }
}

/** A 3×3, stride 1, pad 1 convolution geometry (the shape of a small CNN's second layer). */
function conv3x3(batch: number, channels: number, size: number): ConvGeometry {
  const out = convOutputSize(size, 3, 1, 1);
  const g = { batch, channels, height: size, width: size, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1 };
  return { ...g, padH: 1, padW: 1, outH: out, outW: out };
}

const gemm = (m: number, n: number, k: number, transA = false, transB = false): Case => ({
  id: `gemm-${m}-${n}-${k}-${transA}-${transB}`,
  kind: 'gemm',
  m,
  n,
  k,
  transA,
  transB,
});

const CASES: Case[] = [
  gemm(1024, 1024, 1024),
  gemm(128, 256, 784), // dense layer forward: X·W
  gemm(784, 256, 128, true), // weight gradient: Xᵀ·dY
  gemm(128, 784, 256, false, true), // input gradient: dY·Wᵀ
  { id: 'pairwise', kind: 'pairwise', n: 4000, d: 512, into: false },
  { id: 'pairwise-into', kind: 'pairwise', n: 4000, d: 512, into: true },
  { id: 'knn', kind: 'knn', n: 8000, d: 128, k: 10 },
  { id: 'matvec', kind: 'matvec', m: 4096, n: 4096, trans: false, resident: true },
  { id: 'matvec-t', kind: 'matvec', m: 4096, n: 4096, trans: true, resident: true },
  { id: 'matvec-copy', kind: 'matvec', m: 4096, n: 4096, trans: false, resident: false },
  { id: 'eigen', kind: 'eigen', n: 60_000, d: 512, iterations: 20 },
  { id: 'im2col', kind: 'im2col', g: conv3x3(64, 32, 14) },
];

export async function run(): Promise<void> {
  const cores = availableParallelism();
  const numpy = numpyTimes(CASES);
  const rows: Record<string, string | number>[] = [];
  for (const c of CASES) {
    const fn = prepare(c);
    for (const threads of cores > 1 ? [1, cores] : [1]) {
      setThreads(threads);
      const ms = bestTime(fn);
      const reference = numpy?.[c.id];
      rows.push({
        kernel: describeCase(c),
        threads,
        ms,
        'GFLOP/s': flops(c) === 0 ? '' : flops(c) / ms / 1e6,
        'NumPy ms': reference ?? 'n/a',
        'NumPy GFLOP/s': reference === undefined || flops(c) === 0 ? 'n/a' : flops(c) / reference / 1e6,
        'time / NumPy': reference === undefined ? 'n/a' : ms / reference,
      });
    }
  }
  setThreads(cores);
  printTable(`Kernels (${kernelInfo().backend}, NumPy on all ${cores} cores)`, rows);
  if (cores > 1) crossover(cores);
}

/**
 * Single- vs multi-thread times on growing problems, with the thresholds off so every size is split: where
 * threads start to pay is where DEFAULT_TUNING in src/engine/kernels/wasm-kernels.ts should sit.
 */
function crossover(cores: number): void {
  const { backend } = kernelInfo();
  if (backend === 'js') return;
  const module = compileKernels(backend);
  if (module === undefined) return;
  const single = new WasmKernels(module, backend, 1);
  const split = new WasmKernels(module, backend, cores, {
    gemmMacs: 1,
    streamFloats: 1,
    neighborBlockFloats: 1 << 22,
    scalarMaxMacs: 0,
  });
  const rows: Record<string, string | number>[] = [];
  const measure = (label: string, work: string, fn: (kernels: WasmKernels) => void) => {
    const one = bestTime(() => fn(single));
    const many = bestTime(() => fn(split));
    rows.push({
      kernel: label,
      work,
      '1 thread µs': one * 1000,
      [`${cores} threads µs`]: many * 1000,
      speedup: one / many,
    });
  };
  for (const size of [48, 64, 96, 128, 160, 192, 256]) {
    const a = random(size * size, 8);
    const c = new Float32Array(size * size);
    const label = `gemm ${size}×${size}×${size}`;
    measure(label, `${(size ** 3 / 2 ** 20).toFixed(2)} M MACs`, (k) =>
      k.matmul(a, a, c, size, size, size, {}),
    );
  }
  for (const size of [362, 512, 1024, 1448, 2048]) {
    const a = random(size * size, 9);
    const y = new Float32Array(size);
    const label = `matvec ${size}×${size}`;
    measure(label, `${((size * size) / 2 ** 20).toFixed(2)} M floats`, (k) =>
      k.matvec(a, a, y, size, size, false),
    );
  }
  single.dispose();
  split.dispose();
  printTable(
    'Threading crossover (thresholds: gemm 1 M MACs per thread, streaming 1 M floats per thread)',
    rows,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
