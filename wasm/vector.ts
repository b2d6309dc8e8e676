import { hsum, madd } from './simd';
import { share } from './threads';

// Row-wise kernels. Rows are split between threads; every output element is summed in the same order
// whatever the thread count, so results do not depend on it.

/** x · y over n floats. Four accumulators hide the add latency. */
export function dot(x: usize, y: usize, n: i32): f32 {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const at = (<usize>i) << 2;
    s0 = madd(v128.load(x + at), v128.load(y + at), s0);
    s1 = madd(v128.load(x + at, 16), v128.load(y + at, 16), s1);
    s2 = madd(v128.load(x + at, 32), v128.load(y + at, 32), s2);
    s3 = madd(v128.load(x + at, 48), v128.load(y + at, 48), s3);
  }
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    s0 = madd(v128.load(x + at), v128.load(y + at), s0);
  }
  let s = hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
  for (; i < n; i++) s += load<f32>(x + ((<usize>i) << 2)) * load<f32>(y + ((<usize>i) << 2));
  return s;
}

/** y += alpha · x over n floats. */
export function axpy(alpha: f32, x: usize, y: usize, n: i32): void {
  const av = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const at = (<usize>i) << 2;
    v128.store(y + at, madd(av, v128.load(x + at), v128.load(y + at)));
    v128.store(y + at, madd(av, v128.load(x + at, 16), v128.load(y + at, 16)), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(y + at, madd(av, v128.load(x + at), v128.load(y + at)));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    store<f32>(y + at, load<f32>(y + at) + alpha * load<f32>(x + at));
  }
}

/** y = A x, A m × n row-major: one dot product per row. */
export function matvec(a: usize, x: usize, y: usize, m: i32, n: i32, tid: i32, threads: i32): void {
  const i1 = share(m, tid + 1, threads);
  for (let i = share(m, tid, threads); i < i1; i++) {
    store<f32>(y + ((<usize>i) << 2), dot(a + ((<usize>i * <usize>n) << 2), x, n));
  }
}

/** y = Aᵀ x, A m × n row-major: each thread owns a slice of y and sweeps every row of A over it. */
export function matvecTransposed(a: usize, x: usize, y: usize, m: i32, n: i32, tid: i32, threads: i32): void {
  const quads = (n + 3) >> 2;
  const j0 = min(share(quads, tid, threads) << 2, n);
  const j1 = min(share(quads, tid + 1, threads) << 2, n);
  if (j0 >= j1) return;
  const ys = y + ((<usize>j0) << 2);
  const width = j1 - j0;
  memory.fill(ys, 0, (<usize>width) << 2);
  // Four rows per sweep over the slice of y: a quarter of the loads and stores of y.
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const row = a + ((<usize>i * <usize>n + <usize>j0) << 2);
    axpy4(x + ((<usize>i) << 2), row, (<usize>n) << 2, ys, width);
  }
  for (; i < m; i++) {
    axpy(load<f32>(x + ((<usize>i) << 2)), a + ((<usize>i * <usize>n + <usize>j0) << 2), ys, width);
  }
}

/** y += c₀·r₀ + c₁·r₁ + c₂·r₂ + c₃·r₃ over n floats; the coefficients at c, row r_k at r + k·stride bytes. */
function axpy4(c: usize, r: usize, stride: usize, y: usize, n: i32): void {
  const c0 = v128.load32_splat(c);
  const c1 = v128.load32_splat(c, 4);
  const c2 = v128.load32_splat(c, 8);
  const c3 = v128.load32_splat(c, 12);
  const r1 = r + stride;
  const r2 = r1 + stride;
  const r3 = r2 + stride;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const at = (<usize>j) << 2;
    let acc = v128.load(y + at);
    acc = madd(c0, v128.load(r + at), acc);
    acc = madd(c1, v128.load(r1 + at), acc);
    acc = madd(c2, v128.load(r2 + at), acc);
    acc = madd(c3, v128.load(r3 + at), acc);
    v128.store(y + at, acc);
  }
  for (; j < n; j++) {
    const at = (<usize>j) << 2;
    let acc = load<f32>(y + at);
    acc += load<f32>(c) * load<f32>(r + at);
    acc += load<f32>(c, 4) * load<f32>(r1 + at);
    acc += load<f32>(c, 8) * load<f32>(r2 + at);
    acc += load<f32>(c, 12) * load<f32>(r3 + at);
    store<f32>(y + at, acc);
  }
}

/** out[i] = |x_i|² for this thread's rows of x (rows × d). */
export function rowSquaredNorms(x: usize, rows: i32, d: i32, out: usize, tid: i32, threads: i32): void {
  const i1 = share(rows, tid + 1, threads);
  for (let i = share(rows, tid, threads); i < i1; i++) {
    const row = x + ((<usize>i * <usize>d) << 2);
    store<f32>(out + ((<usize>i) << 2), dot(row, row, d));
  }
}

/** x_i -= v for this thread's rows of x (rows × d). */
export function subtractRow(x: usize, rows: i32, d: i32, v: usize, tid: i32, threads: i32): void {
  const i1 = share(rows, tid + 1, threads);
  for (let i = share(rows, tid, threads); i < i1; i++) axpy(-1, v, x + ((<usize>i * <usize>d) << 2), d);
}

/**
 * Column sums of x (rows × d) in `chunks` fixed row ranges: out[c·d + j] = Σ x[i][j] over chunk c. The
 * chunking depends on the caller's chunk count, not on the thread count, so `sumChunks` over the partial
 * sums gives the same bits on any number of threads.
 */
export function columnChunkSums(
  x: usize,
  rows: i32,
  d: i32,
  chunks: i32,
  out: usize,
  tid: i32,
  threads: i32,
): void {
  const c1 = share(chunks, tid + 1, threads);
  for (let c = share(chunks, tid, threads); c < c1; c++) {
    const sums = out + ((<usize>c * <usize>d) << 2);
    memory.fill(sums, 0, (<usize>d) << 2);
    const i1 = share(rows, c + 1, chunks);
    for (let i = share(rows, c, chunks); i < i1; i++) axpy(1, x + ((<usize>i * <usize>d) << 2), sums, d);
  }
}

/** out[j] = Σ_c partials[c·length + j], summed in chunk order; threads split j. */
export function sumChunks(
  partials: usize,
  chunks: i32,
  length: i32,
  out: usize,
  tid: i32,
  threads: i32,
): void {
  const quads = (length + 3) >> 2;
  const j0 = min(share(quads, tid, threads) << 2, length);
  const j1 = min(share(quads, tid + 1, threads) << 2, length);
  if (j0 >= j1) return;
  const dst = out + ((<usize>j0) << 2);
  memory.fill(dst, 0, (<usize>(j1 - j0)) << 2);
  for (let c = 0; c < chunks; c++) {
    axpy(1, partials + ((<usize>c * <usize>length + <usize>j0) << 2), dst, j1 - j0);
  }
}

/**
 * Partial products of the scatter matrix XᵀX with a block of b vectors V (b × d), one pass over X:
 * out[c] (b × d) = Σ_{i in chunk c} x_i (x_i · v_j) for j < b. Each row is read once from memory and used
 * from L1 for all 2b dot/axpy sweeps; `sumChunks` then adds the chunks (see columnChunkSums).
 */
export function scatterTimesBlock(
  x: usize,
  rows: i32,
  d: i32,
  v: usize,
  b: i32,
  chunks: i32,
  out: usize,
  tid: i32,
  threads: i32,
): void {
  const block = <usize>b * <usize>d;
  const c1 = share(chunks, tid + 1, threads);
  for (let c = share(chunks, tid, threads); c < c1; c++) {
    const acc = out + ((<usize>c * block) << 2);
    memory.fill(acc, 0, block << 2);
    const i1 = share(rows, c + 1, chunks);
    for (let i = share(rows, c, chunks); i < i1; i++) {
      const row = x + ((<usize>i * <usize>d) << 2);
      for (let j = 0; j < b; j++) {
        const offset = (<usize>j * <usize>d) << 2;
        axpy(dot(row, v + offset, d), row, acc + offset, d);
      }
    }
  }
}

/**
 * Turns the Gram block g = X Yᵀ (n × m, this thread's rows) into squared distances
 * |x_i|² + |y_j|² − 2 x_i·y_j, clamped at 0 (rounding can push a tiny distance below it). When Y is X,
 * `firstRow` is the index in X of the block's first row and each row's own distance is set to exactly 0;
 * otherwise it is −1.
 */
export function distancesFromGram(
  g: usize,
  n: i32,
  m: i32,
  xNorms: usize,
  yNorms: usize,
  firstRow: i32,
  tid: i32,
  threads: i32,
): void {
  const zero = f32x4.splat(0);
  const minusTwo = f32x4.splat(-2);
  const i1 = share(n, tid + 1, threads);
  for (let i = share(n, tid, threads); i < i1; i++) {
    const row = g + ((<usize>i * <usize>m) << 2);
    const xn = load<f32>(xNorms + ((<usize>i) << 2));
    const xv = f32x4.splat(xn);
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const at = (<usize>j) << 2;
      const sum = f32x4.add(xv, v128.load(yNorms + at));
      v128.store(row + at, f32x4.max(zero, madd(minusTwo, v128.load(row + at), sum)));
    }
    for (; j < m; j++) {
      const at = (<usize>j) << 2;
      store<f32>(row + at, max<f32>(0, xn + load<f32>(yNorms + at) - 2 * load<f32>(row + at)));
    }
    if (firstRow >= 0) store<f32>(row + ((<usize>(firstRow + i)) << 2), 0);
  }
}
