import { madd } from './simd';
import { share } from './threads';

// The Gram matrix of a few long rows (n small, d in the millions: one vector per federated client), centred
// on the rows' mean so that |x_i|² + |x_j|² − 2 x_i·x_j does not cancel when the rows share a large common
// part. The columns are cut into a fixed number of chunks, each summed into its own float64 partial Gram
// matrix, so the threads never share an accumulator and the result does not depend on their number.

// Columns per pass: 4 + 2 rows of 1 KB each stay in L1 while a tile sweeps them, and all n rows of a block
// stay in L2 while every tile visits it.
const BLOCK: i32 = 256;

/** out[j] = mean over the rows of x[·][j], in float64 then rounded; threads split the columns. */
export function columnMeans(
  x: usize,
  rows: i32,
  d: i32,
  acc: usize,
  out: usize,
  tid: i32,
  threads: i32,
): void {
  const blocks = (d + BLOCK - 1) / BLOCK;
  const b1 = share(blocks, tid + 1, threads);
  const sums = acc + <usize>(tid * BLOCK * 8);
  for (let b = share(blocks, tid, threads); b < b1; b++) {
    const c0 = b * BLOCK;
    const width = min(BLOCK, d - c0);
    memory.fill(sums, 0, <usize>(width * 8));
    // Row by row over the block: each row segment is read sequentially, the sums stay in L1.
    const quads = width & ~3;
    for (let i = 0; i < rows; i++) {
      const row = x + ((<usize>i * <usize>d + <usize>c0) << 2);
      for (let j = 0; j < quads; j += 4) {
        const v = v128.load(row + ((<usize>j) << 2));
        const at = sums + ((<usize>j) << 3);
        v128.store(at, f64x2.add(v128.load(at), f64x2.promote_low_f32x4(v)));
        v128.store(
          at,
          f64x2.add(v128.load(at, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))),
          16,
        );
      }
      for (let j = quads; j < width; j++) {
        const at = sums + ((<usize>j) << 3);
        store<f64>(at, load<f64>(at) + <f64>load<f32>(row + ((<usize>j) << 2)));
      }
    }
    for (let j = 0; j < width; j++)
      store<f32>(out + ((<usize>(c0 + j)) << 2), <f32>(load<f64>(sums + ((<usize>j) << 3)) / rows));
  }
}

/**
 * partials[c] (n × n float64) = Σ over the columns of chunk c of (x_i − μ)(x_j − μ), for this thread's
 * chunks; entries with i ≤ j are complete (some below the diagonal are written too, and are to be ignored).
 */
export function centredGramChunks(
  x: usize,
  n: i32,
  d: i32,
  mean: usize,
  chunks: i32,
  partials: usize,
  tid: i32,
  threads: i32,
): void {
  const quads = d >> 2;
  const c1 = share(chunks, tid + 1, threads);
  for (let c = share(chunks, tid, threads); c < c1; c++) {
    const g = partials + ((<usize>c * <usize>n * <usize>n) << 3);
    memory.fill(g, 0, (<usize>n * <usize>n) << 3);
    const q1 = share(quads, c + 1, chunks);
    for (let q = share(quads, c, chunks); q < q1; q += BLOCK >> 2) {
      const k0 = q << 2;
      const k1 = min(q1, q + (BLOCK >> 2)) << 2;
      // 4 × 2 tiles covering every pair i ≤ j (j starts at the tile's first row).
      for (let i0 = 0; i0 < n; i0 += 4) {
        for (let j0 = i0; j0 < n; j0 += 2) tile(x, n, d, mean, i0, j0, k0, k1, g);
      }
    }
    // The last d mod 4 columns, in the last chunk.
    if (c === chunks - 1) {
      for (let k = quads << 2; k < d; k++) {
        const mk = load<f32>(mean + ((<usize>k) << 2));
        for (let i = 0; i < n; i++) {
          const xi = load<f32>(x + ((<usize>i * <usize>d + <usize>k) << 2)) - mk;
          for (let j = i; j < n; j++) {
            const xj = load<f32>(x + ((<usize>j * <usize>d + <usize>k) << 2)) - mk;
            const at = g + ((<usize>i * <usize>n + <usize>j) << 3);
            store<f64>(at, load<f64>(at) + <f64>xi * <f64>xj);
          }
        }
      }
    }
  }
}

function rowAt(x: usize, n: i32, d: i32, i: i32): usize {
  // Rows past the end read the last row (valid memory); their sums are never stored.
  return x + ((<usize>min(i, n - 1) * <usize>d) << 2);
}

/** Adds the centred dot products of rows i0 … i0+3 with rows j0, j0+1 over columns k0 … k1 into g. */
function tile(x: usize, n: i32, d: i32, mean: usize, i0: i32, j0: i32, k0: i32, k1: i32, g: usize): void {
  const r0 = rowAt(x, n, d, i0);
  const r1 = rowAt(x, n, d, i0 + 1);
  const r2 = rowAt(x, n, d, i0 + 2);
  const r3 = rowAt(x, n, d, i0 + 3);
  const s0 = rowAt(x, n, d, j0);
  const s1 = rowAt(x, n, d, j0 + 1);
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let k = k0; k < k1; k += 4) {
    const at = (<usize>k) << 2;
    const m = v128.load(mean + at);
    const b0 = f32x4.sub(v128.load(s0 + at), m);
    const b1 = f32x4.sub(v128.load(s1 + at), m);
    const a0 = f32x4.sub(v128.load(r0 + at), m);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = f32x4.sub(v128.load(r1 + at), m);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = f32x4.sub(v128.load(r2 + at), m);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = f32x4.sub(v128.load(r3 + at), m);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
  }
  addPair(g, n, i0, j0, c00, c01);
  addPair(g, n, i0 + 1, j0, c10, c11);
  addPair(g, n, i0 + 2, j0, c20, c21);
  addPair(g, n, i0 + 3, j0, c30, c31);
}

/** g[i][j] += Σ lanes of a, g[i][j + 1] += Σ lanes of b, for the entries inside the matrix. */
function addPair(g: usize, n: i32, i: i32, j: i32, a: v128, b: v128): void {
  if (i >= n) return;
  const row = g + ((<usize>i * <usize>n) << 3);
  addLanes(row + ((<usize>j) << 3), a);
  if (j + 1 < n) addLanes(row + ((<usize>(j + 1)) << 3), b);
}

function addLanes(at: usize, v: v128): void {
  const sum =
    <f64>f32x4.extract_lane(v, 0) +
    <f64>f32x4.extract_lane(v, 1) +
    <f64>f32x4.extract_lane(v, 2) +
    <f64>f32x4.extract_lane(v, 3);
  store<f64>(at, load<f64>(at) + sum);
}
