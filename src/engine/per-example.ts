/**
 * Per-example parameter gradients, what DP-SGD needs (Abadi et al. 2016, "Deep learning with differential
 * privacy"): every example's gradient is clipped to an L2 norm C before the batch sum.
 *
 * Usage: build the forward pass with a loss that SUMS the per-example losses, then
 *   const per = new PerExampleGradients(n);
 *   graph.backward(loss, { perExample: per });      // dense/conv2d parameter gradients land in `per`
 *   const norms = per.accumulateClipped(C);         // param.grad += Σᵢ gᵢ · min(1, C / ‖gᵢ‖)
 * `norms` are the unclipped per-example norms over all collected parameters together. Parameters of other
 * operations (none in a sequential network) still receive their ordinary summed gradient.
 *
 * Dense layers never materialise the per-example gradients: for y = xW + b the example gradient of W is the
 * outer product xᵢᵀgᵢ, whose norm is ‖xᵢ‖·‖gᵢ‖ and whose weighted sum is one GEMM, Xᵀ·diag(w)·G (Goodfellow
 * 2015, "Efficient per-example gradient computations"). Convolutions store them (n × |W|, small for conv
 * kernels).
 */
import type { Var } from './autograd.js';
import { matmul } from './kernels/index.js';

/** One operation's share of the per-example gradients. */
export interface PerExampleContribution {
  /** Adds each example's squared gradient norm (over this operation's parameters) to `out[i]`. */
  addSquaredNorms(out: Float64Array): void;
  /** Adds Σᵢ weights[i] · gᵢ into the parameters' gradient buffers. */
  accumulate(weights: Float32Array): void;
}

export class PerExampleGradients {
  private readonly contributions: PerExampleContribution[] = [];
  private readonly seen = new Set<Float32Array>();

  constructor(readonly batchSize: number) {}

  /** Called by operations during backward. A parameter may contribute once (no weight sharing). */
  add(parameters: readonly Var[], contribution: PerExampleContribution): void {
    for (const p of parameters) {
      const grad = p.graph.gradOf(p);
      if (this.seen.has(grad))
        throw new Error('per-example gradients: a parameter is used by more than one operation');
      this.seen.add(grad);
    }
    this.contributions.push(contribution);
  }

  /** ‖gᵢ‖² over all collected parameters, per example (float64 accumulation). */
  squaredNorms(): Float64Array {
    const out = new Float64Array(this.batchSize);
    for (const c of this.contributions) c.addSquaredNorms(out);
    return out;
  }

  norms(): Float32Array {
    return Float32Array.from(this.squaredNorms(), Math.sqrt);
  }

  /** Adds Σᵢ weights[i] · gᵢ into every collected parameter's gradient buffer. */
  accumulate(weights: Float32Array): void {
    if (weights.length !== this.batchSize) {
      throw new RangeError(`per-example gradients: ${weights.length} weights for ${this.batchSize} examples`);
    }
    for (const c of this.contributions) c.accumulate(weights);
  }

  /** Adds Σᵢ gᵢ · min(1, clipNorm / ‖gᵢ‖) into the gradient buffers; returns the unclipped norms ‖gᵢ‖. */
  accumulateClipped(clipNorm: number): Float32Array {
    if (!(clipNorm > 0))
      throw new RangeError(`per-example gradients: clip norm must be > 0, got ${clipNorm}`);
    const norms = this.norms();
    this.accumulate(norms.map((norm) => (norm > clipNorm ? clipNorm / norm : 1)));
    return norms;
  }
}

/** A contribution whose per-example gradients are stored as rows: `perExample` is [batch, param.size]. */
export function storedContribution(
  param: Var,
  perExample: Float32Array,
  batch: number,
): PerExampleContribution {
  const size = param.size;
  return {
    addSquaredNorms(out) {
      for (let i = 0; i < batch; i++) {
        let s = 0;
        for (let j = i * size; j < (i + 1) * size; j++) s += perExample[j] * perExample[j];
        out[i] += s;
      }
    },
    accumulate(weights) {
      // grad[1 × size] += weightsᵀ[1 × batch] · perExample[batch × size]
      matmul(weights, perExample, param.graph.gradOf(param), 1, size, batch, { accumulate: true });
    },
  };
}
