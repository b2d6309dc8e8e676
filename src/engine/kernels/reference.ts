/**
 * Plain TypeScript reference kernels. They define what every fast kernel must compute; the tests compare the
 * WebAssembly kernels against these on random shapes. Clarity over speed.
 */

export interface MatmulOptions {
  /** A is stored k × m and used transposed. */
  transA?: boolean;
  /** B is stored n × k and used transposed. */
  transB?: boolean;
  /** Add to C instead of overwriting it. */
  accumulate?: boolean;
}

/** C[m×n] (+)= op(A)[m×k] · op(B)[k×n], all row-major. */
export function matmulReference(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  opts: MatmulOptions = {},
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = opts.transA ? a[p * m + i] : a[i * k + p];
        const bv = opts.transB ? b[j * k + p] : b[p * n + j];
        sum += av * bv;
      }
      c[i * n + j] = (opts.accumulate ? c[i * n + j] : 0) + sum;
    }
  }
}
