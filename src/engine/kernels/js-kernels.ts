import type { Kernels } from './backend.js';
import {
  col2imReference,
  im2colReference,
  matmulReference,
  matvecReference,
  nearestNeighborsReference,
  pairwiseSquaredDistancesReference,
  reduceCoordinatesReference,
  topEigenvectorsReference,
  vectorSquaredDistancesReference,
} from './reference.js';
import { DENSE_EIGEN_MAX_FEATURES, type ScatterProduct, subspaceIteration } from './subspace.js';
import { checkFiniteMeans, checkFiniteRows, checkFiniteVectors } from './validate.js';

/**
 * The fallback where WebAssembly SIMD is unavailable: the reference kernels on the main thread, except that
 * topEigenvectors keeps to subspace iteration for many features (the dense reference is O(n·d²)).
 */
export const jsKernels: Kernels = {
  backend: 'js',
  threads: 1,
  setThreads: () => {},
  dispose: () => {},
  matmul: matmulReference,
  matvec: matvecReference,
  pairwiseSquaredDistances(x, n, d, y, m, out) {
    checkFiniteData('pairwiseSquaredDistances', x, n, d, y, m);
    out.set(pairwiseSquaredDistancesReference(x, n, d, y ?? x, m));
    return out;
  },
  nearestNeighbors(x, n, d, k, y, m) {
    checkFiniteData('nearestNeighbors', x, n, d, y, m);
    return nearestNeighborsReference(x, n, d, k, y, m);
  },
  im2col: im2colReference,
  col2im: col2imReference,
  topEigenvectors(x, n, d, k, opts) {
    const xc = centred(x, n, d); // checks the data are finite
    if (d <= DENSE_EIGEN_MAX_FEATURES) return topEigenvectorsReference(xc, n, d, k);
    return subspaceIteration(scatterProduct(xc, n, d), n, d, k, opts);
  },
  reduceCoordinates: reduceCoordinatesReference,
  allocate: (length) => new Float32Array(length),
  release: () => {},
  vectorSquaredDistances(vectors, d) {
    checkFiniteVectors('vectorSquaredDistances', vectors);
    return vectorSquaredDistancesReference(vectors, d);
  },
};

/** Throws, naming the row, where x or y holds NaN or infinity (as the WebAssembly kernels do). */
function checkFiniteData(
  kernel: string,
  x: Float32Array,
  n: number,
  d: number,
  y: Float32Array | undefined,
  m: number,
) {
  const rowSquaredNorms = (z: Float32Array, rows: number) =>
    Float64Array.from({ length: rows }, (_, i) =>
      z.subarray(i * d, (i + 1) * d).reduce((s, v) => s + v * v, 0),
    );
  checkFiniteRows(kernel, 'x', rowSquaredNorms(x, n));
  if (y !== undefined) checkFiniteRows(kernel, 'y', rowSquaredNorms(y, m));
}

function centred(x: Float32Array, n: number, d: number): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) mean[p] += x[i * d + p];
  for (let p = 0; p < d; p++) mean[p] /= n;
  checkFiniteMeans('topEigenvectors', mean);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) out[i * d + p] = x[i * d + p] - mean[p];
  return out;
}

/** S·v for each row v of the block, one pass over the rows of xc: S·v = Σ_i x_i (x_i · v). */
function scatterProduct(xc: Float32Array, n: number, d: number): ScatterProduct {
  return (block, b) => {
    const out = new Float64Array(b * d);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let j = 0; j < b; j++) {
        let z = 0;
        for (let p = 0; p < d; p++) z += xc[row + p] * block[j * d + p];
        for (let p = 0; p < d; p++) out[j * d + p] += z * xc[row + p];
      }
    }
    return Float32Array.from(out);
  };
}
