import type { Kernels } from './backend.js';
import { KernelMemory } from './kernel-memory.js';
import { matmulReference, matvecReference } from './reference.js';
import { oddEvenMergeSortNetwork } from './sorting-network.js';
import { DENSE_EIGEN_MAX_FEATURES, subspaceIteration } from './subspace.js';
import { leadingEigenpairs } from './symmetric-eigen.js';
import { ThreadPool } from './thread-pool.js';
import type {
  ConvGeometry,
  CoordinateReduction,
  EigenOptions,
  Eigenpairs,
  MatmulOptions,
  Neighbors,
  ReducedCoordinates,
} from './types.js';
import { checkFiniteMeans, checkFiniteRows, checkFiniteVectors } from './validate.js';
import {
  createSharedMemory,
  instantiateKernels,
  type WasmBackend,
  type WasmMemory,
  type WasmModule,
} from './wasm-module.js';

// The kernels' exported functions that split work between threads (each takes its arguments, then tid and
// the thread count; see wasm/threads.ts), in the order the thread pool numbers them.
const JOBS = [
  'gemm',
  'matvec',
  'matvecTransposed',
  'rowSquaredNorms',
  'subtractRow',
  'columnChunkSums',
  'sumChunks',
  'scatterTimesBlock',
  'distancesFromGram',
  'smallestK',
  'im2col',
  'col2im',
  'columnOrderStatistics',
  'rowSquaredDistancesTo',
  'columnMeans',
  'centredGramChunks',
  'mirrorUpper',
] as const;
type Job = (typeof JOBS)[number];
type KernelFunction = (...args: number[]) => void;
type KernelExports = Record<Job, KernelFunction> & {
  heapBase(): number;
  gemmScratchBytes(): number;
  columnScratchBytes(n: number): number;
};

// Bit flags of wasm/gemm.ts.
const TRANS_A = 1;
const TRANS_B = 2;
const ACCUMULATE = 4;
const UPPER = 8;
// Reduction kinds of wasm/columns.ts.
const REDUCTION_KINDS = { median: 0, 'trimmed-mean': 1, 'closest-to-median-mean': 2 } as const;
// Coordinates columnOrderStatistics sorts at once.
const COLUMN_LANES = 8;

// Columns per block of wasm/gram.ts's columnMeans.
const GRAM_BLOCK = 256;
// Float64 values the partial Gram matrices of vectorSquaredDistances may take (32 MiB).
const GRAM_PARTIAL_DOUBLES = 1 << 22;

// The gemm microkernel tile (wasm/gemm.ts), the finest unit its work can be split into.
const GEMM_MR = 4;
const GEMM_NR = 8;

/** Sizes that trade speed for memory or threads. */
export interface KernelTuning {
  /** Least multiply-adds worth a thread of their own in gemm (below, waking a worker costs more than it saves). */
  gemmMacs: number;
  /** Least floats touched worth a thread in the streaming kernels (matvec, distance passes, im2col, sums). */
  streamFloats: number;
  /** Distances nearestNeighbors holds at once; it works through x in blocks of rows of this size. */
  neighborBlockFloats: number;
  /** matmul and matvec up to this many multiply-adds run as TypeScript: copying in and out costs more. */
  scalarMaxMacs: number;
}

// Crossovers measured with bench/kernels.ts on the reference machine (2-core AMD EPYC, Node 20): a second
// gemm thread paid from about 2 M multiply-adds (×1.2) up; a second matvec thread had not paid yet at 1 M
// floats (the passes are memory-bound); below 8×8×8 the copy into WebAssembly costs more than the product.
const DEFAULT_TUNING: KernelTuning = {
  gemmMacs: 1 << 20,
  streamFloats: 1 << 20,
  neighborBlockFloats: 1 << 22,
  scalarMaxMacs: 512,
};

/** Row chunks of the reductions: fixed by the row count alone, so the sums do not depend on the threads. */
function chunkCount(rows: number): number {
  return Math.min(64, Math.max(1, Math.ceil(rows / 512)));
}

/** The kernels compiled to WebAssembly SIMD, split over worker threads that share the module's memory. */
export class WasmKernels implements Kernels {
  readonly backend: WasmBackend;
  private readonly module: WasmModule;
  private readonly wasmMemory: WasmMemory;
  private readonly exports: KernelExports;
  private readonly memory: KernelMemory;
  private readonly tuning: KernelTuning;
  private requestedThreads: number;
  private pool: ThreadPool | undefined;
  /** Sorting networks by input size, as pairs of slot byte offsets for columnOrderStatistics. */
  private readonly networks = new Map<number, Int32Array>();
  /** Set when worker threads could not start; everything then runs on the main thread. */
  private poolFailed = false;

  constructor(module: WasmModule, backend: WasmBackend, threads: number, tuning = DEFAULT_TUNING) {
    this.module = module;
    this.backend = backend;
    this.wasmMemory = createSharedMemory(64);
    this.exports = instantiateKernels(module, this.wasmMemory) as KernelExports;
    this.memory = new KernelMemory(this.wasmMemory, this.exports.heapBase());
    this.tuning = tuning;
    this.requestedThreads = threads;
  }

  get threads(): number {
    return this.poolFailed ? 1 : this.requestedThreads;
  }

  setThreads(threads: number): void {
    if (threads === this.requestedThreads) return;
    this.requestedThreads = threads;
    this.dispose();
  }

  dispose(): void {
    this.pool?.close();
    this.pool = undefined;
  }

  matmul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    n: number,
    k: number,
    opts: MatmulOptions,
  ) {
    if (m * n * k <= this.tuning.scalarMaxMacs) {
      matmulReference(a, b, c, m, n, k, opts);
      return;
    }
    const mem = this.memory;
    mem.reset();
    const pa = mem.input(a, m * k);
    const pb = mem.input(b, k * n);
    const inPlace = mem.residentAddress(c);
    const pc = inPlace ?? (opts.accumulate ? mem.upload(c, m * n) : mem.alloc(m * n));
    const flags =
      (opts.transA ? TRANS_A : 0) | (opts.transB ? TRANS_B : 0) | (opts.accumulate ? ACCUMULATE : 0);
    this.gemm(pa, pb, pc, m, n, k, flags);
    if (inPlace === undefined) c.set(mem.view(pc, m * n));
  }

  matvec(a: Float32Array, x: Float32Array, y: Float32Array, m: number, n: number, trans: boolean): void {
    if (m * n <= this.tuning.scalarMaxMacs) {
      matvecReference(a, x, y, m, n, trans);
      return;
    }
    const [inputs, outputs] = trans ? [m, n] : [n, m];
    const mem = this.memory;
    mem.reset();
    const pa = mem.input(a, m * n);
    const px = mem.input(x, inputs);
    const inPlace = mem.residentAddress(y);
    const py = inPlace ?? mem.alloc(outputs);
    this.stream(trans ? 'matvecTransposed' : 'matvec', [pa, px, py, m, n], m * n);
    if (inPlace === undefined) y.set(mem.view(py, outputs));
  }

  allocate(length: number): Float32Array {
    return length === 0 ? new Float32Array(0) : this.memory.allocResident(length);
  }

  release(array: Float32Array): void {
    this.memory.releaseResident(array);
  }

  pairwiseSquaredDistances(
    x: Float32Array,
    n: number,
    d: number,
    y: Float32Array | undefined,
    m: number,
    out: Float32Array,
  ) {
    if (out.length === 0) return out;
    if (d === 0) return out.fill(0);
    const { px, py, xNorms, yNorms } = this.prepareDistances('pairwiseSquaredDistances', x, n, d, y, m);
    const inPlace = this.memory.residentAddress(out);
    const gram = inPlace ?? this.memory.alloc(n * m);
    if (y === undefined) {
      // X·Xᵀ is symmetric: compute the upper triangle and mirror it (half the multiply-adds).
      this.gemm(px, px, gram, n, n, d, TRANS_B | UPPER);
      this.stream('mirrorUpper', [gram, n], (n * n) / 2);
    } else {
      this.gemm(px, py, gram, n, m, d, TRANS_B);
    }
    this.stream('distancesFromGram', [gram, n, m, xNorms, yNorms, y === undefined ? 0 : -1], n * m);
    if (inPlace === undefined) out.set(this.memory.view(gram, n * m));
    return out;
  }

  nearestNeighbors(x: Float32Array, n: number, d: number, k: number, y: Float32Array | undefined, m: number) {
    const out: Neighbors = { indices: new Int32Array(n * k), distances: new Float32Array(n * k) };
    if (out.indices.length === 0) return out;
    const mem = this.memory;
    const { px, py, xNorms, yNorms } = this.prepareDistances('nearestNeighbors', x, n, d, y, m);
    const indices = mem.alloc(n * k);
    const distances = mem.alloc(n * k);
    // Distances to all of y for a block of x's rows at a time, so memory stays bounded whatever n.
    const block = Math.max(1, Math.min(n, Math.floor(this.tuning.neighborBlockFloats / m)));
    const gram = mem.alloc(block * m);
    for (let first = 0; first < n; first += block) {
      const rows = Math.min(block, n - first);
      const self = y === undefined ? first : -1;
      this.gemm(px + first * d * 4, py, gram, rows, m, d, TRANS_B);
      this.stream('distancesFromGram', [gram, rows, m, xNorms + first * 4, yNorms, self], rows * m);
      const at = first * k * 4;
      this.stream('smallestK', [gram, rows, m, k, self, indices + at, distances + at], rows * m);
    }
    out.indices.set(new Int32Array(mem.view(indices, n * k).buffer, indices, n * k));
    out.distances.set(mem.view(distances, n * k));
    return out;
  }

  im2col(input: Float32Array, g: ConvGeometry, cols: Float32Array): void {
    const length = g.batch * g.outH * g.outW * g.channels * g.kernelH * g.kernelW;
    if (length === 0) return;
    const mem = this.memory;
    mem.reset();
    const pin = mem.upload(input, g.batch * g.channels * g.height * g.width);
    const pcols = mem.alloc(length);
    this.stream('im2col', [pin, pcols, ...convArgs(g)], length);
    cols.set(mem.view(pcols, length));
  }

  col2im(cols: Float32Array, g: ConvGeometry, input: Float32Array): void {
    const length = g.batch * g.outH * g.outW * g.channels * g.kernelH * g.kernelW;
    if (length === 0) return;
    const size = g.batch * g.channels * g.height * g.width;
    const mem = this.memory;
    mem.reset();
    const pcols = mem.upload(cols, length);
    const pin = mem.upload(input, size);
    this.stream('col2im', [pcols, pin, ...convArgs(g)], length);
    input.set(mem.view(pin, size));
  }

  topEigenvectors(x: Float32Array, n: number, d: number, k: number, opts: EigenOptions): Eigenpairs {
    const mem = this.memory;
    mem.reset();
    const px = mem.upload(x, n * d);
    const mean = this.columnMeans(px, n, d);
    checkFiniteMeans('topEigenvectors', mem.view(mean, d));
    this.stream('subtractRow', [px, n, d, mean], n * d);
    const scale = Math.max(n - 1, 1);
    if (d <= DENSE_EIGEN_MAX_FEATURES) {
      const scatter = mem.alloc(d * d);
      this.gemm(px, px, scatter, d, d, n, TRANS_A);
      return leadingEigenpairs(Float64Array.from(mem.view(scatter, d * d)), d, k, scale);
    }
    const chunks = chunkCount(n);
    const block = mem.alloc(k * d);
    const partials = mem.alloc(chunks * k * d);
    const product = mem.alloc(k * d);
    return subspaceIteration(
      (vectors, b) => {
        mem.view(block, b * d).set(vectors);
        this.stream('scatterTimesBlock', [px, n, d, block, b, chunks, partials], n * d * b);
        this.stream('sumChunks', [partials, chunks, b * d, product], chunks * b * d);
        return mem.view(product, b * d).slice();
      },
      n,
      d,
      k,
      opts,
    );
  }

  reduceCoordinates(
    vectors: readonly Float32Array[],
    d: number,
    reduction: CoordinateReduction,
    withDistances: boolean,
  ): ReducedCoordinates {
    const n = vectors.length;
    const mem = this.memory;
    mem.reset();
    const px = mem.uploadRows(vectors, d);
    const network = this.networkFor(n);
    const pnet = mem.alloc(network.length);
    new Int32Array(this.wasmMemory.buffer, pnet, network.length).set(network);
    const out = mem.alloc(d);
    const param =
      reduction.kind === 'trimmed-mean'
        ? reduction.trim
        : reduction.kind === 'closest-to-median-mean'
          ? reduction.count
          : 0;
    // A sort costs some comparators per value: weigh the work by them when deciding on threads.
    const groups = Math.ceil(d / COLUMN_LANES);
    const threads = Math.min(groups, this.threadsFor(d * (network.length / 2 + n), this.tuning.streamFloats));
    const scratch = mem.alloc((threads * this.exports.columnScratchBytes(n)) / 4);
    const args = [px, n, d, pnet, network.length / 2, REDUCTION_KINDS[reduction.kind], param, out, scratch];
    this.run('columnOrderStatistics', args, threads);
    const result = mem.view(out, d).slice();
    if (!withDistances) return { result, squaredDistances: undefined };
    const distances = mem.alloc(2 * n); // n float64
    this.stream('rowSquaredDistancesTo', [px, n, d, out, distances], n * d);
    return { result, squaredDistances: new Float64Array(this.wasmMemory.buffer, distances, n).slice() };
  }

  vectorSquaredDistances(vectors: readonly Float32Array[], d: number): Float64Array {
    const n = vectors.length;
    const out = new Float64Array(n * n);
    if (d === 0) return out;
    const mem = this.memory;
    mem.reset();
    const px = mem.uploadRows(vectors, d);
    const threads = this.threadsFor(n * d, this.tuning.streamFloats);
    const mean = mem.alloc(d);
    const sums = mem.alloc(threads * GRAM_BLOCK * 2); // float64 per thread
    this.run('columnMeans', [px, n, d, sums, mean], threads);
    if (!mem.view(mean, d).every(Number.isFinite)) checkFiniteVectors('vectorSquaredDistances', vectors);
    // A fixed chunk count (from the sizes alone) makes the sums independent of the thread count.
    const chunks = Math.max(
      1,
      Math.min(64, Math.ceil(d / 16384), Math.floor(GRAM_PARTIAL_DOUBLES / (n * n))),
    );
    const partials = mem.alloc(chunks * n * n * 2);
    this.run('centredGramChunks', [px, n, d, mean, chunks, partials], Math.min(chunks, threads));
    const parts = new Float64Array(this.wasmMemory.buffer, partials, chunks * n * n);
    const gram = new Float64Array(n * n);
    for (let c = 0; c < chunks; c++) {
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) gram[i * n + j] += parts[c * n * n + i * n + j];
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(gram[i * n + i])) {
        checkFiniteVectors('vectorSquaredDistances', vectors);
        throw new RangeError(`vectorSquaredDistances: vector ${i} is too large to square`);
      }
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const sq = Math.max(0, gram[i * n + i] + gram[j * n + j] - 2 * gram[i * n + j]);
        out[i * n + j] = out[j * n + i] = sq;
      }
    }
    return out;
  }

  /** Batcher's network for n values, its positions turned into byte offsets of 32-byte slots. */
  private networkFor(n: number): Int32Array {
    let network = this.networks.get(n);
    if (network === undefined) {
      network = oddEvenMergeSortNetwork(n).map((position) => position * COLUMN_LANES * 4);
      this.networks.set(n, network);
    }
    return network;
  }

  /**
   * Uploads x (and y) centred on x's mean — distances do not change under a shift, and centring keeps
   * |x|² + |y|² − 2x·y from cancelling catastrophically for data far from the origin — with their squared
   * row norms. Without y, py and yNorms are x's own. Throws, naming the row, on NaN or infinite values
   * (one would otherwise spread through the mean to every distance).
   */
  private prepareDistances(
    kernel: string,
    x: Float32Array,
    n: number,
    d: number,
    y: Float32Array | undefined,
    m: number,
  ) {
    const mem = this.memory;
    mem.reset();
    const px = mem.upload(x, n * d);
    const py = y === undefined ? px : mem.upload(y, m * d);
    const mean = this.columnMeans(px, n, d);
    const xNorms = mem.alloc(n);
    if (!mem.view(mean, d).every(Number.isFinite)) {
      this.stream('rowSquaredNorms', [px, n, d, xNorms], n * d);
      checkFiniteRows(kernel, 'x', mem.view(xNorms, n));
      throw new RangeError(`${kernel}: the column sums of x overflow float32`);
    }
    this.stream('subtractRow', [px, n, d, mean], n * d);
    if (y !== undefined) this.stream('subtractRow', [py, m, d, mean], m * d);
    this.stream('rowSquaredNorms', [px, n, d, xNorms], n * d);
    checkFiniteRows(kernel, 'x', mem.view(xNorms, n));
    const yNorms = y === undefined ? xNorms : mem.alloc(m);
    if (y !== undefined) {
      this.stream('rowSquaredNorms', [py, m, d, yNorms], m * d);
      checkFiniteRows(kernel, 'y', mem.view(yNorms, m));
    }
    return { px, py, xNorms, yNorms };
  }

  /** C = op(A)·op(B) on buffers already in kernel memory. */
  private gemm(pa: number, pb: number, pc: number, m: number, n: number, k: number, flags: number): void {
    const tiles = Math.ceil(m / GEMM_MR) * Math.ceil(n / GEMM_NR);
    const threads = Math.min(tiles, this.threadsFor(m * n * k, this.tuning.gemmMacs));
    const scratch = this.memory.alloc((threads * this.exports.gemmScratchBytes()) / 4);
    this.run('gemm', [pa, pb, pc, m, n, k, flags, scratch], threads);
  }

  /** The column means of rows × d floats in kernel memory, as a new buffer of d floats. */
  private columnMeans(px: number, rows: number, d: number): number {
    const mem = this.memory;
    const chunks = chunkCount(rows);
    const partials = mem.alloc(chunks * d);
    const sums = mem.alloc(d);
    this.stream('columnChunkSums', [px, rows, d, chunks, partials], rows * d);
    this.stream('sumChunks', [partials, chunks, d, sums], chunks * d);
    const means = mem.view(sums, d);
    for (let j = 0; j < d; j++) means[j] /= rows;
    return sums;
  }

  /** Runs a streaming kernel that touches `floats` values, on as many threads as that is worth. */
  private stream(job: Job, args: number[], floats: number): void {
    this.run(job, args, this.threadsFor(floats, this.tuning.streamFloats));
  }

  /** How many threads `work` units deserve, given the least worth a thread of its own. */
  private threadsFor(work: number, minPerThread: number): number {
    return Math.max(1, Math.min(this.threads, Math.floor(work / minPerThread)));
  }

  private run(job: Job, args: number[], threads: number): void {
    const fn = this.exports[job];
    const pool = threads > 1 ? this.threadPool() : undefined;
    if (pool === undefined) fn(...args, 0, 1);
    else pool.run(JOBS.indexOf(job), fn, args, Math.min(threads, pool.size + 1));
  }

  private threadPool(): ThreadPool | undefined {
    if (this.pool === undefined && !this.poolFailed) {
      try {
        this.pool = new ThreadPool(this.module, this.wasmMemory, JOBS, this.requestedThreads - 1);
      } catch (error) {
        this.poolFailed = true;
        process.emitWarning(`kernels run on one thread: ${error instanceof Error ? error.message : error}`);
      }
    }
    return this.pool;
  }
}

function convArgs(g: ConvGeometry): number[] {
  return [g.batch, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW];
}
