/** Fully connected layer y = x·W + b, with W stored [in, out] (the layout of architecture.ts). */
import type { Graph, Var } from './autograd.js';
import { matmul } from './kernels/index.js';
import { type PerExampleContribution, storedContribution } from './per-example.js';

/** x [n, in] · w [in, out] + b [out] → [n, out]. */
export function dense(x: Var, w: Var, b: Var | null): Var {
  const g = x.graph;
  if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[0]) {
    throw new RangeError(`dense: input [${x.shape.join(', ')}] does not fit weight [${w.shape.join(', ')}]`);
  }
  const [n, inDim] = x.shape;
  const outDim = w.shape[1];
  if (b !== null && b.size !== outDim) throw new RangeError(`dense: bias of ${b.size} for ${outDim} units`);
  const out = g.node([n, outDim], [x, w, b]);
  // The bias is written first and the GEMM accumulates onto it: no separate pass over the output.
  if (b !== null) for (let i = 0; i < n; i++) out.data.set(b.data, i * outDim);
  matmul(x.data, w.data, out.data, n, outDim, inDim, { accumulate: b !== null });

  g.onBackward(out, (gy) => {
    if (x.requiresGrad) matmul(gy, w.data, g.gradOf(x), n, inDim, outDim, { transB: true, accumulate: true });
    const perExample = g.perExample;
    if (perExample !== null) {
      if (w.requiresGrad) perExample.add([w], outerProductContribution(g, w, x.data, gy, n, inDim, outDim));
      if (b?.requiresGrad) perExample.add([b], storedContribution(b, gy, n));
      return;
    }
    if (w.requiresGrad) matmul(x.data, gy, g.gradOf(w), inDim, outDim, n, { transA: true, accumulate: true });
    if (b?.requiresGrad) {
      const gb = g.gradOf(b);
      for (let i = 0; i < n; i++) {
        for (let j = 0, o = i * outDim; j < outDim; j++) gb[j] += gy[o + j];
      }
    }
  });
  return out;
}

/** Example i's weight gradient is xᵢᵀgᵢ: norm ‖xᵢ‖‖gᵢ‖, and Σᵢ wᵢ xᵢᵀgᵢ = Xᵀ·diag(w)·G. */
function outerProductContribution(
  g: Graph,
  w: Var,
  x: Float32Array,
  gy: Float32Array,
  n: number,
  inDim: number,
  outDim: number,
): PerExampleContribution {
  return {
    addSquaredNorms(out) {
      for (let i = 0; i < n; i++)
        out[i] += squaredNorm(x, i * inDim, inDim) * squaredNorm(gy, i * outDim, outDim);
    },
    accumulate(weights) {
      const scaled = g.alloc(n * outDim);
      for (let i = 0; i < n; i++) {
        for (let j = i * outDim; j < (i + 1) * outDim; j++) scaled[j] = gy[j] * weights[i];
      }
      matmul(x, scaled, g.gradOf(w), inDim, outDim, n, { transA: true, accumulate: true });
    },
  };
}

function squaredNorm(v: Float32Array, offset: number, length: number): number {
  let s = 0;
  for (let i = offset; i < offset + length; i++) s += v[i] * v[i];
  return s;
}
