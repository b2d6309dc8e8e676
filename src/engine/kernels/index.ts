/**
 * The numeric kernels: GEMM, matrix-vector products, pairwise distances, nearest neighbours, im2col/col2im
 * and the leading eigenvectors of a covariance. They run as WebAssembly SIMD (relaxed-SIMD FMA where the engine has it),
 * split over worker threads for large problems, with a TypeScript fallback (see runtime.ts). All arrays
 * are row-major float32; every call is synchronous.
 */
import { activeKernels } from './runtime.js';
import type {
  ConvGeometry,
  CoordinateReduction,
  EigenOptions,
  Eigenpairs,
  MatmulOptions,
  Neighbors,
  ReducedCoordinates,
} from './types.js';
import { checkConvGeometry, checkLength, checkSizes } from './validate.js';

export { availableBackends, kernelInfo, setBackend, setThreads } from './runtime.js';
export type {
  ConvGeometry,
  CoordinateReduction,
  EigenOptions,
  Eigenpairs,
  KernelBackend,
  MatmulOptions,
  Neighbors,
  ReducedCoordinates,
} from './types.js';
export { convOutputSize } from './validate.js';

/**
 * C[m×n] (+)= op(A)[m×k] · op(B)[k×n]. A is stored m×k (k×m if transA); B k×n (n×k if transB). C must not
 * overlap A or B.
 */
export function matmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  opts: MatmulOptions = {},
): void {
  checkSizes('matmul', { m, n, k });
  checkLength('matmul', 'A', a, m * k);
  checkLength('matmul', 'B', b, k * n);
  checkLength('matmul', 'C', c, m * n);
  activeKernels().matmul(a, b, c, m, n, k, opts);
}

/** y = A x (A m×n, x of n, y of m), or y = Aᵀ x (x of m, y of n) when `trans`; y must not overlap A or x. */
export function matvec(
  a: Float32Array,
  x: Float32Array,
  y: Float32Array,
  m: number,
  n: number,
  trans = false,
): void {
  checkSizes('matvec', { m, n });
  checkLength('matvec', 'A', a, m * n);
  checkLength('matvec', 'x', x, trans ? m : n);
  checkLength('matvec', 'y', y, trans ? n : m);
  activeKernels().matvec(a, x, y, m, n, trans);
}

/**
 * Squared Euclidean distances between the rows of x (n×d) and the rows of y (m×d), as an n×m matrix;
 * y defaults to x (the diagonal is then exactly 0; only half of X·Xᵀ is multiplied), m to y.length / d.
 * Computed as |x|² + |y|² − 2x·y after centring on x's mean, so each entry is accurate to about
 * 1e-6 × (|x_i − μ|² + |y_j − μ|²). The result goes into `out` when given (n·m floats; a kernel array from
 * allocateKernelArray is written in place), else into a new array. Throws RangeError, naming the row, if x or
 * y holds NaN or infinity.
 */
export function pairwiseSquaredDistances(
  x: Float32Array,
  n: number,
  d: number,
  opts: { y?: Float32Array; m?: number; out?: Float32Array } = {},
): Float32Array {
  const { y, out } = opts;
  checkSizes('pairwiseSquaredDistances', { n, d });
  checkLength('pairwiseSquaredDistances', 'x', x, n * d);
  const m = y === undefined ? n : (opts.m ?? (d > 0 ? y.length / d : Number.NaN));
  checkSizes('pairwiseSquaredDistances', { m });
  if (y !== undefined) checkLength('pairwiseSquaredDistances', 'y', y, m * d);
  if (out !== undefined) checkLength('pairwiseSquaredDistances', 'out', out, n * m);
  return activeKernels().pairwiseSquaredDistances(x, n, d, y, m, out ?? new Float32Array(n * m));
}

/**
 * The k rows of y (m×d) nearest to each row of x (n×d) in Euclidean distance, nearest first, ties to the
 * lower index; m defaults to y.length / d. Without y, each row's k nearest other rows of x (the row itself
 * is left out; exact duplicates come first, at distance 0). Distances are computed as in
 * pairwiseSquaredDistances, a block of x's rows at a time, so the n×m matrix is never held whole.
 */
export function nearestNeighbors(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  opts: { y?: Float32Array; m?: number } = {},
): Neighbors {
  const { y } = opts;
  checkSizes('nearestNeighbors', { n, d, k });
  checkLength('nearestNeighbors', 'x', x, n * d);
  const m = y === undefined ? n : (opts.m ?? (d > 0 ? y.length / d : Number.NaN));
  checkSizes('nearestNeighbors', { m });
  if (y !== undefined) checkLength('nearestNeighbors', 'y', y, m * d);
  const candidates = y === undefined ? n - 1 : m;
  if (n > 0 && (k < 1 || k > candidates)) {
    throw new RangeError(`nearestNeighbors: k must be between 1 and ${candidates} here, got ${k}`);
  }
  return activeKernels().nearestNeighbors(x, n, d, k, y, m);
}

/**
 * NCHW input → columns [batch·outH·outW, channels·kernelH·kernelW]: row (b, oy, ox), column (c, ky, kx),
 * zero where a tap falls in the padding. A convolution is then matmul(cols, W, out, rows, filters, taps,
 * { transB: true }) with W stored [filters, channels·kernelH·kernelW].
 */
export function im2col(input: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  checkConvGeometry('im2col', g);
  checkLength('im2col', 'input', input, g.batch * g.channels * g.height * g.width);
  checkLength('im2col', 'cols', cols, g.batch * g.outH * g.outW * g.channels * g.kernelH * g.kernelW);
  activeKernels().im2col(input, g, cols);
}

/** The adjoint of im2col: input += every column entry added back onto the input position it came from. */
export function col2im(cols: Float32Array, g: ConvGeometry, input: Float32Array): void {
  checkConvGeometry('col2im', g);
  checkLength('col2im', 'cols', cols, g.batch * g.outH * g.outW * g.channels * g.kernelH * g.kernelW);
  checkLength('col2im', 'input', input, g.batch * g.channels * g.height * g.width);
  activeKernels().col2im(cols, g, input);
}

/**
 * The k leading eigenvectors and eigenvalues of the covariance of x's rows (n×d, centred internally;
 * divisor n − 1), as used by spectral-signature backdoor detection (Tran, Li & Madry, NeurIPS 2018).
 * Up to 64 features the covariance is formed and diagonalised exactly (Jacobi; the options are then unused);
 * beyond, seeded subspace iteration touches the data once per step and never forms the d×d matrix.
 * Vectors are k×d rows. Throws RangeError if x holds NaN or infinity.
 */
export function topEigenvectors(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  opts: EigenOptions = {},
): Eigenpairs {
  checkSizes('topEigenvectors', { n, d, k });
  checkLength('topEigenvectors', 'x', x, n * d);
  if (n < 1 || k < 1 || k > d) {
    throw new RangeError(`topEigenvectors: need 1 ≤ k ≤ d and n ≥ 1, got n=${n}, d=${d}, k=${k}`);
  }
  const { iterations = 50, tolerance = 1e-7, seed = 0 } = opts;
  checkSizes('topEigenvectors', { iterations });
  if (!(tolerance >= 0)) throw new RangeError(`topEigenvectors: tolerance must be ≥ 0, got ${tolerance}`);
  return activeKernels().topEigenvectors(x, n, d, k, { iterations, tolerance, seed });
}

/**
 * Reduces every coordinate across the vectors (all of one length d): for each j, the median, trimmed mean
 * or closest-to-median mean of v₁[j] … vₙ[j] (see CoordinateReduction), and, with `withDistances`, each
 * vector's squared distance to the result. The WebAssembly kernel sorts eight coordinates at a time with a
 * sorting network. The values must be finite (not checked here: callers such as the federated rules validate
 * their inputs and name the culprit).
 */
export function reduceCoordinates(
  vectors: readonly Float32Array[],
  reduction: CoordinateReduction,
  { withDistances = false }: { withDistances?: boolean } = {},
): ReducedCoordinates {
  const n = vectors.length;
  if (n === 0) throw new RangeError('reduceCoordinates: no vectors');
  const d = vectors[0].length;
  vectors.forEach((v, i) => {
    if (v.length !== d)
      throw new RangeError(`reduceCoordinates: vector ${i} has ${v.length} values, vector 0 has ${d}`);
  });
  if (reduction.kind === 'trimmed-mean') {
    const { trim } = reduction;
    if (!Number.isInteger(trim) || trim < 0 || 2 * trim >= n)
      throw new RangeError(`reduceCoordinates: trim must be an integer with 0 ≤ 2·trim < ${n}, got ${trim}`);
  } else if (reduction.kind === 'closest-to-median-mean') {
    const { count } = reduction;
    if (!Number.isInteger(count) || count < 1 || count > n)
      throw new RangeError(`reduceCoordinates: count must be an integer in 1…${n}, got ${count}`);
  }
  return activeKernels().reduceCoordinates(vectors, d, reduction, withDistances);
}

/**
 * All pairwise squared Euclidean distances among a few long vectors (federated clients' updates: tens to
 * hundreds of vectors of up to millions of values), n × n float64 with an exact 0 diagonal. Computed from
 * the Gram matrix of the vectors centred on their mean, accumulated in float64, split over threads by
 * columns; each entry is accurate to about 1e-7 × (|v_i − μ|² + |v_j − μ|²). Throws RangeError, naming the
 * vector, on NaN or infinity.
 */
export function vectorSquaredDistances(vectors: readonly Float32Array[]): Float64Array {
  if (vectors.length === 0) return new Float64Array(0);
  const d = vectors[0].length;
  vectors.forEach((v, i) => {
    if (v.length !== d)
      throw new RangeError(`vectorSquaredDistances: vector ${i} has ${v.length} values, vector 0 has ${d}`);
  });
  return activeKernels().vectorSquaredDistances(vectors, d);
}

/**
 * A zero-filled float32 array in the kernels' own memory: matmul and matvec read it, and write it as their
 * output, in place instead of copying it in and out on every call — worth it for a large matrix used many
 * times (a matrix-vector product streams the matrix once, so the copy would cost as much as the product).
 * Every other kernel accepts it like any array. It stays valid until releaseKernelArray; with the js
 * backend it is an ordinary array.
 */
export function allocateKernelArray(length: number): Float32Array {
  checkSizes('allocateKernelArray', { length });
  return activeKernels().allocate(length);
}

/** Gives back an array from allocateKernelArray; the array must not be used afterwards. */
export function releaseKernelArray(array: Float32Array): void {
  activeKernels().release(array);
}
