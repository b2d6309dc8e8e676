/** Types shared by the kernel entry points (index.ts), the reference kernels and the fast kernels. */

export interface MatmulOptions {
  /** A is stored k × m and used transposed. */
  transA?: boolean;
  /** B is stored n × k and used transposed. */
  transB?: boolean;
  /** Add to C instead of overwriting it. */
  accumulate?: boolean;
}

/**
 * The sizes of one 2-D convolution over an NCHW batch. im2col's column matrix is
 * [batch·outH·outW, channels·kernelH·kernelW]: row (b, oy, ox), column (c, ky, kx), so the convolution is
 * cols · Wᵀ with W stored [filters, channels·kernelH·kernelW]. outH and outW must equal
 * floor((size + 2·pad − kernel) / stride) + 1 (see convOutputSize).
 */
export interface ConvGeometry {
  batch: number;
  channels: number;
  height: number;
  width: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  outH: number;
  outW: number;
}

export interface EigenOptions {
  /** Most subspace-iteration steps (default 50). */
  iterations?: number;
  /** Stop once every vector moved less than this between steps, as 1 − |cos angle| (default 1e-7; 0 never stops early). */
  tolerance?: number;
  /** Seed of the random start (default 0). */
  seed?: number;
}

export interface Eigenpairs {
  /** k × d, row i the i-th eigenvector (unit length; sign chosen so its largest-magnitude entry is positive). */
  vectors: Float32Array;
  /** The k largest eigenvalues of the covariance (divisor n − 1), in decreasing order. */
  values: Float32Array;
}

/** The k nearest neighbours of each query row, nearest first (ties broken by the lower index). */
export interface Neighbors {
  /** n × k row indices into the reference rows. */
  indices: Int32Array;
  /** n × k squared Euclidean distances. */
  distances: Float32Array;
}

/** Where the kernels run: WebAssembly with relaxed SIMD (FMA), WebAssembly with plain SIMD, or TypeScript. */
export type KernelBackend = 'wasm-relaxed-simd' | 'wasm-simd' | 'js';

/**
 * What `reduceCoordinates` computes for each coordinate j over the vectors' values v₁[j] … vₙ[j]: the
 * median (the mean of the two middle values for even n), the mean without the `trim` smallest and `trim`
 * largest values, or the mean of the `count` values closest to the median.
 */
export type CoordinateReduction =
  | { kind: 'median' }
  | { kind: 'trimmed-mean'; trim: number }
  | { kind: 'closest-to-median-mean'; count: number };

export interface ReducedCoordinates {
  /** The reduced value of every coordinate. */
  result: Float32Array;
  /** When asked for: each vector's squared Euclidean distance to `result`, in float64. */
  squaredDistances: Float64Array | undefined;
}
