import { Rng } from '../rng.js';
import { orient, symmetricEigen } from './symmetric-eigen.js';
import type { EigenOptions, Eigenpairs } from './types.js';

/** Up to this many features the kernels form the d × d covariance and diagonalise it exactly instead. */
export const DENSE_EIGEN_MAX_FEATURES = 64;

/** The scatter matrix S = Xcᵀ·Xc (Xc the centred data) applied to each of the b rows of `block` (b × d). */
export type ScatterProduct = (block: Float32Array, b: number) => Float32Array;

/**
 * The k leading eigenpairs of the covariance S / (n − 1) by subspace iteration (orthogonal iteration,
 * Golub & Van Loan, "Matrix Computations", 4th ed., §8.2.4) with a closing Rayleigh–Ritz step (§8.3.7).
 * Touches the data only through `scatter`, so the d × d matrix is never formed: each step costs one pass
 * over the data. Converges for vector i like (λ_{k+1} / λ_i)^steps; stops early once no vector moves.
 */
export function subspaceIteration(
  scatter: ScatterProduct,
  n: number,
  d: number,
  k: number,
  opts: EigenOptions = {},
): Eigenpairs {
  const { iterations = 50, tolerance = 1e-7, seed = 0 } = opts;
  const rng = new Rng(seed);
  let basis = new Float64Array(k * d);
  for (let i = 0; i < basis.length; i++) basis[i] = rng.normal();
  orthonormalize(basis, k, d, rng);
  for (let step = 0; step < iterations; step++) {
    const next = Float64Array.from(scatter(Float32Array.from(basis), k));
    orthonormalize(next, k, d, rng);
    const moved = largestMove(basis, next, k, d);
    basis = next;
    if (moved < tolerance) break;
  }
  // Rayleigh–Ritz: the eigenvectors of the k × k projection H = V·S·Vᵀ rotate the basis onto S's eigenvectors.
  const image = scatter(Float32Array.from(basis), k);
  const h = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) h[i * k + j] = dot(basis, i * d, image, j * d, d);
  }
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) h[i * k + j] = h[j * k + i] = (h[i * k + j] + h[j * k + i]) / 2;
  }
  const ritz = symmetricEigen(h, k);
  const scale = Math.max(n - 1, 1);
  const out = { vectors: new Float32Array(k * d), values: new Float32Array(k) };
  for (let i = 0; i < k; i++) {
    const vector = new Float64Array(d);
    for (let l = 0; l < k; l++) {
      const weight = ritz.vectors[i * k + l];
      for (let p = 0; p < d; p++) vector[p] += weight * basis[l * d + p];
    }
    out.vectors.set(orient(vector), i * d);
    out.values[i] = Math.max(ritz.values[i], 0) / scale;
  }
  return out;
}

/**
 * Makes the k rows of v (k × d) orthonormal in place: modified Gram–Schmidt applied twice ("twice is
 * enough", Giraud et al., Numer. Math. 2005). A row that collapses into the span of the rows before it
 * (rank-deficient data) is replaced by a fresh random direction.
 */
function orthonormalize(v: Float64Array, k: number, d: number, rng: Rng): void {
  for (let i = 0; i < k; i++) {
    const row = v.subarray(i * d, (i + 1) * d);
    for (let attempt = 0; ; attempt++) {
      const before = Math.sqrt(dot(row, 0, row, 0, d));
      if (!Number.isFinite(before))
        throw new RangeError('topEigenvectors: the data contain NaN or infinite values');
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          const projection = dot(row, 0, v, j * d, d);
          for (let p = 0; p < d; p++) row[p] -= projection * v[j * d + p];
        }
      }
      const after = Math.sqrt(dot(row, 0, row, 0, d));
      if (after > 1e-6 * before) {
        for (let p = 0; p < d; p++) row[p] /= after;
        break;
      }
      if (attempt === 100) throw new Error('topEigenvectors: could not complete an orthonormal basis');
      for (let p = 0; p < d; p++) row[p] = rng.normal();
    }
  }
}

/** The largest 1 − |cos angle| between matching rows of two orthonormal blocks. */
function largestMove(a: Float64Array, b: Float64Array, k: number, d: number): number {
  let largest = 0;
  for (let i = 0; i < k; i++) largest = Math.max(largest, 1 - Math.abs(dot(a, i * d, b, i * d, d)));
  return largest;
}

function dot(a: Float64Array, aOffset: number, b: ArrayLike<number>, bOffset: number, d: number): number {
  let sum = 0;
  for (let p = 0; p < d; p++) sum += a[aOffset + p] * b[bOffset + p];
  return sum;
}
