import type {
  ConvGeometry,
  CoordinateReduction,
  EigenOptions,
  Eigenpairs,
  KernelBackend,
  MatmulOptions,
  Neighbors,
  ReducedCoordinates,
} from './types.js';

/**
 * One implementation of every kernel. index.ts validates the arguments and then calls the active one;
 * implementations may assume sizes are non-negative integers and arrays long enough.
 */
export interface Kernels {
  readonly backend: KernelBackend;
  /** Threads a large problem is split over. */
  readonly threads: number;
  setThreads(threads: number): void;
  /** Releases worker threads; the object must not be used afterwards. */
  dispose(): void;
  matmul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    n: number,
    k: number,
    opts: MatmulOptions,
  ): void;
  matvec(a: Float32Array, x: Float32Array, y: Float32Array, m: number, n: number, trans: boolean): void;
  /** y undefined: distances among the rows of x. Writes `out` (n·m floats) and returns it. */
  pairwiseSquaredDistances(
    x: Float32Array,
    n: number,
    d: number,
    y: Float32Array | undefined,
    m: number,
    out: Float32Array,
  ): Float32Array;
  /** y undefined: neighbours among the rows of x, each row excluding itself. */
  nearestNeighbors(
    x: Float32Array,
    n: number,
    d: number,
    k: number,
    y: Float32Array | undefined,
    m: number,
  ): Neighbors;
  im2col(input: Float32Array, g: ConvGeometry, cols: Float32Array): void;
  col2im(cols: Float32Array, g: ConvGeometry, input: Float32Array): void;
  topEigenvectors(x: Float32Array, n: number, d: number, k: number, opts: EigenOptions): Eigenpairs;
  /** A float32 array that matmul and matvec read and write in place (see allocateKernelArray). */
  allocate(length: number): Float32Array;
  /** Gives an array from `allocate` back; anything else is ignored. */
  release(array: Float32Array): void;
  /** n × n squared distances among vectors of length d (n ≥ 1), float64. */
  vectorSquaredDistances(vectors: readonly Float32Array[], d: number): Float64Array;
  /** The vectors are finite, at least one, each of length d; the reduction's count fits n. */
  reduceCoordinates(
    vectors: readonly Float32Array[],
    d: number,
    reduction: CoordinateReduction,
    withDistances: boolean,
  ): ReducedCoordinates;
}
