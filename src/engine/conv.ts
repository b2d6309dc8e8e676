/** 2-D convolution (via im2col + GEMM) and max pooling over NCHW batches. */
import type { Var } from './autograd.js';
import { type ConvGeometry, col2im, convOutputSize, im2col, matmul } from './kernels/index.js';
import { storedContribution } from './per-example.js';

export interface WindowOptions {
  stride: readonly [number, number];
  /** Zero padding on each side, [rows, cols]. */
  padding?: readonly [number, number];
}

/** x [n, c, h, w] ⊛ w [f, c, kh, kw] + b [f] → [n, f, outH, outW] (cross-correlation, as in every framework). */
export function conv2d(x: Var, w: Var, b: Var | null, options: WindowOptions): Var {
  const g = x.graph;
  if (x.shape.length !== 4 || w.shape.length !== 4 || x.shape[1] !== w.shape[1]) {
    throw new RangeError(`conv2d: input [${x.shape.join(', ')}] does not fit kernel [${w.shape.join(', ')}]`);
  }
  const [filters, , kernelH, kernelW] = w.shape;
  if (b !== null && b.size !== filters)
    throw new RangeError(`conv2d: bias of ${b.size} for ${filters} filters`);
  const geo = geometry(x.shape, [kernelH, kernelW], options);
  const { batch, outH, outW } = geo;
  const positions = outH * outW;
  const rows = batch * positions;
  const patch = w.size / filters;

  const cols = g.alloc(rows * patch);
  im2col(x.data, geo, cols);
  // byFilter [filters, batch, positions] = W · colsᵀ, starting from the bias so the GEMM adds onto it. Each
  // (filter, example) run of `positions` values is contiguous: the move to NCHW copies whole runs.
  const byFilter = g.alloc(filters * rows);
  for (let f = 0; f < filters; f++) byFilter.fill(b === null ? 0 : b.data[f], f * rows, (f + 1) * rows);
  matmul(w.data, cols, byFilter, filters, rows, patch, { transB: true, accumulate: true });
  const out = g.node([batch, filters, outH, outW], [x, w, b]);
  swapLeadingAxes(byFilter, out.data, filters, batch, positions);

  g.onBackward(out, (gy) => {
    const gradByFilter = swapLeadingAxes(gy, g.alloc(filters * rows), batch, filters, positions);
    if (x.requiresGrad) {
      const dcols = g.alloc(rows * patch);
      matmul(gradByFilter, w.data, dcols, rows, patch, filters, { transA: true });
      col2im(dcols, geo, g.gradOf(x));
    }
    const perExample = g.perExample;
    if (perExample !== null) {
      if (w.requiresGrad) {
        const perW = g.alloc(batch * w.size);
        // Example n's kernel gradient: its own [filters, positions] block of gy times its own patch rows.
        for (let n = 0; n < batch; n++) {
          const gyOfN = gy.subarray(n * filters * positions, (n + 1) * filters * positions);
          const colsOfN = cols.subarray(n * positions * patch, (n + 1) * positions * patch);
          matmul(gyOfN, colsOfN, perW.subarray(n * w.size, (n + 1) * w.size), filters, patch, positions);
        }
        perExample.add([w], storedContribution(w, perW, batch));
      }
      if (b?.requiresGrad) {
        const perB = sumRuns(gy, batch * filters, positions, g.allocZeroed(batch * filters));
        perExample.add([b], storedContribution(b, perB, batch));
      }
      return;
    }
    if (w.requiresGrad) matmul(gradByFilter, cols, g.gradOf(w), filters, patch, rows, { accumulate: true });
    if (b?.requiresGrad) sumRuns(gradByFilter, filters, rows, g.gradOf(b));
  });
  return out;
}

/** [a, b, run] → [b, a, run], copying whole runs. Returns `to`. */
function swapLeadingAxes(
  from: Float32Array,
  to: Float32Array,
  a: number,
  b: number,
  run: number,
): Float32Array {
  // TypedArray.set is a memcpy, several times faster than a JS loop once a run amortises its view object.
  const useSet = run >= 64;
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const src = (i * b + j) * run;
      const dst = (j * a + i) * run;
      if (useSet) to.set(from.subarray(src, src + run), dst);
      else for (let k = 0; k < run; k++) to[dst + k] = from[src + k];
    }
  }
  return to;
}

/** into[r % into.length] += Σ of run r, for the `runs` consecutive runs of `run` values in `from`. */
function sumRuns(from: Float32Array, runs: number, run: number, into: Float32Array): Float32Array {
  for (let r = 0; r < runs; r++) {
    let s = 0;
    for (let k = r * run; k < (r + 1) * run; k++) s += from[k];
    into[r % into.length] += s;
  }
  return into;
}

/**
 * Max over windows of each channel: x [n, c, h, w] → [n, c, outH, outW], no padding. Ties go to the first
 * maximum in row-major window order, which alone receives the gradient.
 */
export function maxPool2d(
  x: Var,
  poolSize: readonly [number, number],
  stride: readonly [number, number],
): Var {
  const g = x.graph;
  if (x.shape.length !== 4)
    throw new RangeError(`maxPool2d: input must be [n, c, h, w], got [${x.shape.join(', ')}]`);
  const geo = geometry(x.shape, poolSize, { stride });
  const { batch, channels, height, width, kernelH, kernelW, strideH, strideW, outH, outW } = geo;
  const out = g.node([batch, channels, outH, outW], [x]);
  // For each output, the index in x of the winning input.
  const argmax = g.allocInt32(out.size);
  const xd = x.data;
  const od = out.data;
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * height * width;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, o++) {
        const corner = base + oy * strideH * width + ox * strideW;
        let bestIndex = corner;
        let best = xd[corner];
        for (let i = 0; i < kernelH; i++) {
          for (let j = corner + i * width, end = j + kernelW; j < end; j++) {
            if (xd[j] > best) {
              best = xd[j];
              bestIndex = j;
            }
          }
        }
        od[o] = best;
        argmax[o] = bestIndex;
      }
    }
  }
  g.onBackward(out, (gy) => {
    if (!x.requiresGrad) return;
    const gx = g.gradOf(x);
    for (let i = 0; i < gy.length; i++) gx[argmax[i]] += gy[i];
  });
  return out;
}

function geometry(
  xShape: readonly number[],
  kernel: readonly [number, number],
  options: WindowOptions,
): ConvGeometry {
  const [batch, channels, height, width] = xShape;
  const [kernelH, kernelW] = kernel;
  const [strideH, strideW] = options.stride;
  const [padH, padW] = options.padding ?? [0, 0];
  const outH = convOutputSize(height, kernelH, strideH, padH);
  const outW = convOutputSize(width, kernelW, strideW, padW);
  if (!(outH >= 1 && outW >= 1)) {
    throw new RangeError(
      `window ${kernelH}×${kernelW} (padding ${padH}, ${padW}) does not fit a ${height}×${width} input`,
    );
  }
  return { batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH, outW };
}
