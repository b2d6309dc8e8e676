import type { Eigenpairs } from './types.js';

/**
 * All eigenpairs of a symmetric n × n matrix by the cyclic Jacobi method (Golub & Van Loan, "Matrix
 * Computations", 4th ed., §8.5, with the stable rotation of Algorithm 8.5.1). Quadratically convergent and
 * accurate to working precision; O(n³) per sweep, for the small matrices of this module (covariances of
 * d ≤ 64 features, Rayleigh–Ritz blocks). Returns values in decreasing order and vectors as rows.
 */
export function symmetricEigen(
  matrix: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix.subarray(0, n * n));
  const v = new Float64Array(n * n); // column j is eigenvector j while rotating
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        rotateColumns(a, n, p, q, c, s);
        rotateRows(a, n, p, q, c, s);
        rotateColumns(v, n, p, q, c, s);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((col, rank) => {
    values[rank] = a[col * n + col];
    for (let i = 0; i < n; i++) vectors[rank * n + i] = v[i * n + col];
  });
  return { values, vectors };
}

/** A ← A·J for the rotation J = [[c, s], [−s, c]] in the (p, q) plane. */
function rotateColumns(a: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let r = 0; r < n; r++) {
    const ap = a[r * n + p];
    const aq = a[r * n + q];
    a[r * n + p] = c * ap - s * aq;
    a[r * n + q] = s * ap + c * aq;
  }
}

/** A ← Jᵀ·A for the same rotation. */
function rotateRows(a: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let r = 0; r < n; r++) {
    const ap = a[p * n + r];
    const aq = a[q * n + r];
    a[p * n + r] = c * ap - s * aq;
    a[q * n + r] = s * ap + c * aq;
  }
}

/** The k leading eigenpairs of a symmetric d × d matrix divided by `scale`, in the Eigenpairs convention. */
export function leadingEigenpairs(matrix: Float64Array, d: number, k: number, scale: number): Eigenpairs {
  const { values, vectors } = symmetricEigen(matrix, d);
  const out = { vectors: new Float32Array(k * d), values: new Float32Array(k) };
  for (let i = 0; i < k; i++) {
    out.values[i] = values[i] / scale;
    out.vectors.set(orient(vectors.subarray(i * d, (i + 1) * d)), i * d);
  }
  return out;
}

/** The vector with its sign flipped, if needed, so that its largest-magnitude entry is positive. */
export function orient(vector: Float64Array): Float64Array {
  let largest = 0;
  for (let i = 1; i < vector.length; i++) if (Math.abs(vector[i]) > Math.abs(vector[largest])) largest = i;
  if (vector[largest] < 0) for (let i = 0; i < vector.length; i++) vector[i] = -vector[i];
  return vector;
}
