/**
 * Plain TypeScript reference kernels. They define what every fast kernel must compute; the tests compare the
 * WebAssembly kernels against these on random shapes. Clarity over speed; sums are taken in float64.
 */
import { leadingEigenpairs } from './symmetric-eigen.js';
import type {
  ConvGeometry,
  CoordinateReduction,
  Eigenpairs,
  MatmulOptions,
  Neighbors,
  ReducedCoordinates,
} from './types.js';

export type { MatmulOptions } from './types.js';

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

/** y = A x (A m × n), or y = Aᵀ x when `trans`. */
export function matvecReference(
  a: Float32Array,
  x: Float32Array,
  y: Float32Array,
  m: number,
  n: number,
  trans = false,
): void {
  const rows = trans ? n : m;
  const cols = trans ? m : n;
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += (trans ? a[j * n + i] : a[i * n + j]) * x[j];
    y[i] = sum;
  }
}

/** Squared Euclidean distances between the rows of x (n × d) and of y (m × d; y = x when omitted), n × m. */
export function pairwiseSquaredDistancesReference(
  x: Float32Array,
  n: number,
  d: number,
  y: Float32Array = x,
  m: number = n,
): Float32Array {
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let p = 0; p < d; p++) {
        const diff = x[i * d + p] - y[j * d + p];
        sum += diff * diff;
      }
      out[i * m + j] = sum;
    }
  }
  return out;
}

/**
 * The k rows of y (m × d) nearest to each row of x (n × d), nearest first, ties to the lower index. With y
 * omitted, the neighbours among x's own rows, each row excluding itself. One row of distances at a time.
 */
export function nearestNeighborsReference(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  y?: Float32Array,
  m: number = n,
): Neighbors {
  const others = y ?? x;
  const out = { indices: new Int32Array(n * k), distances: new Float32Array(n * k) };
  const distances = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let sum = 0;
      for (let p = 0; p < d; p++) sum += (x[i * d + p] - others[j * d + p]) ** 2;
      distances[j] = sum;
    }
    const candidates = Array.from({ length: m }, (_, j) => j).filter((j) => y !== undefined || j !== i);
    candidates.sort((a, b) => distances[a] - distances[b] || a - b);
    for (let r = 0; r < k; r++) {
      out.indices[i * k + r] = candidates[r];
      out.distances[i * k + r] = distances[candidates[r]];
    }
  }
  return out;
}

/** The input index an im2col entry reads, or −1 where the filter tap falls in the zero padding. */
function patchSource(g: ConvGeometry, row: number, col: number): number {
  const b = Math.floor(row / (g.outH * g.outW));
  const oy = Math.floor(row / g.outW) % g.outH;
  const ox = row % g.outW;
  const c = Math.floor(col / (g.kernelH * g.kernelW));
  const ky = Math.floor(col / g.kernelW) % g.kernelH;
  const kx = col % g.kernelW;
  const iy = oy * g.strideH - g.padH + ky;
  const ix = ox * g.strideW - g.padW + kx;
  if (iy < 0 || iy >= g.height || ix < 0 || ix >= g.width) return -1;
  return ((b * g.channels + c) * g.height + iy) * g.width + ix;
}

/** cols[batch·outH·outW, channels·kernelH·kernelW] ← the input patch each output position sees. */
export function im2colReference(input: Float32Array, g: ConvGeometry, cols: Float32Array): void {
  const taps = g.channels * g.kernelH * g.kernelW;
  for (let row = 0; row < g.batch * g.outH * g.outW; row++) {
    for (let col = 0; col < taps; col++) {
      const source = patchSource(g, row, col);
      cols[row * taps + col] = source < 0 ? 0 : input[source];
    }
  }
}

/** input += cols scattered back onto the positions im2col read them from (im2col's adjoint). */
export function col2imReference(cols: Float32Array, g: ConvGeometry, input: Float32Array): void {
  const taps = g.channels * g.kernelH * g.kernelW;
  for (let row = 0; row < g.batch * g.outH * g.outW; row++) {
    for (let col = 0; col < taps; col++) {
      const source = patchSource(g, row, col);
      if (source >= 0) input[source] += cols[row * taps + col];
    }
  }
}

/** The k leading eigenpairs of the covariance of x's rows (n × d), from the full d × d matrix. */
export function topEigenvectorsReference(x: Float32Array, n: number, d: number, k: number): Eigenpairs {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const scatter = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < d; p++) {
      const xp = x[i * d + p] - mean[p];
      for (let q = 0; q < d; q++) scatter[p * d + q] += xp * (x[i * d + q] - mean[q]);
    }
  }
  return leadingEigenpairs(scatter, d, k, Math.max(n - 1, 1));
}

/** Each coordinate's values sorted, then reduced by the definition; distances summed in float64. */
export function reduceCoordinatesReference(
  vectors: readonly Float32Array[],
  d: number,
  reduction: CoordinateReduction,
  withDistances: boolean,
): ReducedCoordinates {
  const n = vectors.length;
  const result = new Float32Array(d);
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) column[i] = vectors[i][j];
    column.sort();
    result[j] = reduceSorted(column, reduction);
  }
  const squaredDistances = withDistances
    ? Float64Array.from(vectors, (v) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += (v[j] - result[j]) ** 2;
        return s;
      })
    : undefined;
  return { result, squaredDistances };
}

function reduceSorted(sorted: Float64Array, reduction: CoordinateReduction): number {
  const n = sorted.length;
  const half = n >> 1;
  const median = n % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
  switch (reduction.kind) {
    case 'median':
      return median;
    case 'trimmed-mean': {
      let sum = 0;
      for (let i = reduction.trim; i < n - reduction.trim; i++) sum += sorted[i];
      return sum / (n - 2 * reduction.trim);
    }
    case 'closest-to-median-mean': {
      // The count values nearest the median, found by their distance (ties: the lower value first).
      const byDistance = Array.from(sorted).sort(
        (a, b) => Math.abs(a - median) - Math.abs(b - median) || a - b,
      );
      let sum = 0;
      for (let i = 0; i < reduction.count; i++) sum += byDistance[i];
      return sum / reduction.count;
    }
  }
}

/** n × n squared Euclidean distances among the vectors by direct float64 differences. */
export function vectorSquaredDistancesReference(vectors: readonly Float32Array[], d: number): Float64Array {
  const n = vectors.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += (vectors[i][p] - vectors[j][p]) ** 2;
      out[i * n + j] = out[j * n + i] = s;
    }
  }
  return out;
}
