import { madd } from './simd';
import { share } from './threads';

// C[m×n] (+)= op(A)[m×k] · op(B)[k×n], row-major, after Goto & van de Geijn, "Anatomy of high-performance
// matrix multiplication" (ACM TOMS 2008): B is packed into KC × NC panels, A into MC × KC blocks, both in
// the order the microkernel reads them, and the microkernel keeps an MR × NR tile of C in registers.

// Microkernel tile: 8 f32x4 accumulators, 2 B vectors and 4 A broadcasts fit in the 15 xmm registers V8's
// x64 backend allocates, so nothing spills (a 6 × 8 tile spilled 4 accumulators and ran at half the speed).
const MR: i32 = 4;
const NR: i32 = 8;
// A KC × NR sliver of packed B stays in L1 while the MC × KC block of packed A streams from L2; on the
// reference machine any KC in 128–384, MC in 64–256 and NC in 1024–4096 ran within noise of each other.
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 2048;
// Square blocks of mirrorUpper.
const MIRROR_BLOCK: i32 = 32;

// Bits of the flags argument (mirrored in src/engine/kernels/wasm-kernels.ts).
const TRANS_A: i32 = 1;
const TRANS_B: i32 = 2;
const ACCUMULATE: i32 = 4;
// Only the tiles that reach the upper triangle (j ≥ i) of a square C: half the work for a symmetric product
// such as X·Xᵀ; the rest of C is left as it was (see mirrorUpper).
const UPPER: i32 = 8;

/** Bytes of scratch one thread needs: a packed A block, a packed B panel and an edge tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) << 2;
}

/**
 * One thread's block of C = op(A)·op(B). C is cut into a grid of rowParts × colParts = threads blocks;
 * each thread packs its rows of A and its columns of B, so the grid is the one that packs the least,
 * k·(m / rowParts + n / colParts). Every element of C is summed in the same order whatever the grid, so
 * the result does not depend on the thread count.
 */
export function gemm(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  n: i32,
  k: i32,
  flags: i32,
  scratch: usize,
  tid: i32,
  threads: i32,
): void {
  const tileScratch = scratch + <usize>tid * <usize>gemmScratchBytes();
  if ((flags & UPPER) !== 0) {
    // Row bands of equal triangle area; each band needs the columns from its first row on.
    const rowTiles = (m + MR - 1) / MR;
    const i0 = min(upperShare(rowTiles, tid, threads) * MR, m);
    const i1 = min(upperShare(rowTiles, tid + 1, threads) * MR, m);
    const j0 = (i0 / NR) * NR;
    if (i0 < i1) gemmBlock(a, b, c, m, n, k, flags, i0, i1, j0, n, tileScratch);
    return;
  }
  let rowParts = 1;
  let least = f64.MAX_VALUE;
  for (let parts = 1; parts <= threads; parts++) {
    const packed = <f64>m / parts + <f64>n / (threads / parts);
    if (threads % parts === 0 && packed < least) {
      least = packed;
      rowParts = parts;
    }
  }
  const colParts = threads / rowParts;
  const rowTiles = (m + MR - 1) / MR;
  const colTiles = (n + NR - 1) / NR;
  const ti = tid / colParts;
  const tj = tid % colParts;
  const i0 = min(share(rowTiles, ti, rowParts) * MR, m);
  const i1 = min(share(rowTiles, ti + 1, rowParts) * MR, m);
  const j0 = min(share(colTiles, tj, colParts) * NR, n);
  const j1 = min(share(colTiles, tj + 1, colParts) * NR, n);
  if (i0 < i1 && j0 < j1) gemmBlock(a, b, c, m, n, k, flags, i0, i1, j0, j1, tileScratch);
}

/**
 * The first of `units` rows that thread `tid` takes when the work of row i is proportional to units − i (an
 * upper triangle): rows units·(1 − √(1 − t/threads)) on, so every thread gets the same area.
 */
function upperShare(units: i32, tid: i32, threads: i32): i32 {
  if (tid >= threads) return units;
  return <i32>Math.floor(<f64>units * (1 - Math.sqrt(1 - <f64>tid / <f64>threads)));
}

/** C[i0:i1, j0:j1] for the whole k range. */
function gemmBlock(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  n: i32,
  k: i32,
  flags: i32,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  scratch: usize,
): void {
  const packedA = scratch;
  const packedB = packedA + ((<usize>(MC * KC)) << 2);
  const tile = packedB + ((<usize>(KC * NC)) << 2);
  const transA = (flags & TRANS_A) !== 0;
  const transB = (flags & TRANS_B) !== 0;
  const upper = (flags & UPPER) !== 0;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const overwrite = pc === 0 && (flags & ACCUMULATE) === 0;
      packB(b, n, k, transB, pc, kc, jc, nc, packedB);
      for (let ic = i0; ic < i1; ic += MC) {
        // Below the diagonal from here on: nothing of this panel is wanted.
        if (upper && ic > jc + nc - 1) break;
        const mc = min(MC, i1 - ic);
        packA(a, m, k, transA, ic, mc, pc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = packedB + ((<usize>(jr * kc)) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            if (upper && ic + ir > jc + jr + cols - 1) break;
            const rows = min(MR, mc - ir);
            const ap = packedA + ((<usize>(ir * kc)) << 2);
            const cij = c + ((<usize>(ic + ir) * <usize>n + <usize>(jc + jr)) << 2);
            if (rows === MR && cols === NR) {
              microkernel(kc, ap, bp, cij, n, overwrite);
            } else {
              microkernel(kc, ap, bp, tile, NR, true);
              storeEdge(tile, cij, n, rows, cols, overwrite);
            }
          }
        }
      }
    }
  }
}

/** Packs op(A)[i0:i0+mc, p0:p0+kc] as MR-row slivers, each kc columns of MR values; short slivers are zero-padded. */
function packA(a: usize, m: i32, k: i32, transA: bool, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    if (transA) {
      // A is stored k × m: the MR values of one column p are adjacent.
      for (let p = 0; p < kc; p++) {
        const src = a + ((<usize>(p0 + p) * <usize>m + <usize>(i0 + ir)) << 2);
        const out = dst + ((<usize>(p * MR)) << 2);
        for (let r = 0; r < MR; r++)
          store<f32>(out + ((<usize>r) << 2), r < rows ? load<f32>(src + ((<usize>r) << 2)) : 0);
      }
    } else {
      for (let r = 0; r < MR; r++) {
        const out = dst + ((<usize>r) << 2);
        if (r < rows) {
          const src = a + ((<usize>(i0 + ir + r) * <usize>k + <usize>p0) << 2);
          for (let p = 0; p < kc; p++)
            store<f32>(out + ((<usize>(p * MR)) << 2), load<f32>(src + ((<usize>p) << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(out + ((<usize>(p * MR)) << 2), 0);
        }
      }
    }
    dst += (<usize>(kc * MR)) << 2;
  }
}

/** Packs op(B)[p0:p0+kc, j0:j0+nc] as NR-column slivers, each kc rows of NR values; short slivers are zero-padded. */
function packB(b: usize, n: i32, k: i32, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    if (!transB) {
      // B is stored k × n: the NR values of one row p are adjacent.
      for (let p = 0; p < kc; p++) {
        const src = b + ((<usize>(p0 + p) * <usize>n + <usize>(j0 + jr)) << 2);
        const out = dst + ((<usize>(p * NR)) << 2);
        if (cols === NR) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
        } else {
          for (let j = 0; j < NR; j++)
            store<f32>(out + ((<usize>j) << 2), j < cols ? load<f32>(src + ((<usize>j) << 2)) : 0);
        }
      }
    } else {
      for (let j = 0; j < NR; j++) {
        const out = dst + ((<usize>j) << 2);
        if (j < cols) {
          const src = b + ((<usize>(j0 + jr + j) * <usize>k + <usize>p0) << 2);
          for (let p = 0; p < kc; p++)
            store<f32>(out + ((<usize>(p * NR)) << 2), load<f32>(src + ((<usize>p) << 2)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(out + ((<usize>(p * NR)) << 2), 0);
        }
      }
    }
    dst += (<usize>(kc * NR)) << 2;
  }
}

/** The MR × NR tile at c (row stride ldc floats) = or += packed A sliver · packed B sliver. */
function microkernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, overwrite: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap);
    const a1 = v128.load32_splat(ap, 4);
    const a2 = v128.load32_splat(ap, 8);
    const a3 = v128.load32_splat(ap, 12);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    ap += MR << 2;
    bp += NR << 2;
  }
  const stride = (<usize>ldc) << 2;
  storeRow(c, c00, c01, overwrite);
  storeRow(c + stride, c10, c11, overwrite);
  storeRow(c + 2 * stride, c20, c21, overwrite);
  storeRow(c + 3 * stride, c30, c31, overwrite);
}

function storeRow(c: usize, lo: v128, hi: v128, overwrite: bool): void {
  if (overwrite) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
  } else {
    v128.store(c, f32x4.add(v128.load(c), lo));
    v128.store(c, f32x4.add(v128.load(c, 16), hi), 16);
  }
}

/** Copies (or adds) the valid rows × cols corner of an MR × NR tile into C. */
function storeEdge(tile: usize, c: usize, ldc: i32, rows: i32, cols: i32, overwrite: bool): void {
  for (let r = 0; r < rows; r++) {
    const src = tile + ((<usize>(r * NR)) << 2);
    const dst = c + ((<usize>r * <usize>ldc) << 2);
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(src + ((<usize>j) << 2));
      const at = dst + ((<usize>j) << 2);
      store<f32>(at, overwrite ? v : load<f32>(at) + v);
    }
  }
}

/**
 * Copies the upper triangle of the square n × n matrix c onto its lower triangle (c[i][j] = c[j][i] for
 * j < i), in 32 × 32 blocks so both sides are read and written a cache line at a time; threads take bands
 * of rows of equal triangle area.
 */
export function mirrorUpper(c: usize, n: i32, tid: i32, threads: i32): void {
  const blocks = (n + MIRROR_BLOCK - 1) / MIRROR_BLOCK;
  // The lower triangle's work grows with the row: the mirror image of upperShare.
  const b0 = blocks - upperShare(blocks, threads - tid, threads);
  const b1 = blocks - upperShare(blocks, threads - tid - 1, threads);
  for (let bi = b0; bi < b1; bi++) {
    const r0 = bi * MIRROR_BLOCK;
    const r1 = min(n, r0 + MIRROR_BLOCK);
    for (let c0 = 0; c0 <= r0; c0 += MIRROR_BLOCK) {
      for (let i = r0; i < r1; i++) {
        const end = min(i, c0 + MIRROR_BLOCK);
        for (let j = c0; j < end; j++) {
          store<f32>(
            c + ((<usize>i * <usize>n + <usize>j) << 2),
            load<f32>(c + ((<usize>j * <usize>n + <usize>i) << 2)),
          );
        }
      }
    }
  }
}
