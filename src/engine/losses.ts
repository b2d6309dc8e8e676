/** Losses. Each returns the reduced loss (a scalar node) and the per-example losses. */
import type { Var } from './autograd.js';

/** 'mean' divides the summed per-example losses by the batch size; 'sum' (for per-example gradients) does not. */
export type Reduction = 'mean' | 'sum';

export interface LossResult {
  /** The reduced loss, shape []. */
  loss: Var;
  /** Each example's loss (valid until the graph is reset). */
  perExample: Float32Array;
}

export interface CrossEntropyResult extends LossResult {
  /** softmax(logits), [n, k] (valid until the graph is reset). */
  probabilities: Float32Array;
}

/** Softmax cross-entropy of logits [n, k] against integer labels in [0, k): −log softmax(z)ᵧ per example. */
export function softmaxCrossEntropy(
  logits: Var,
  labels: ArrayLike<number>,
  reduction: Reduction = 'mean',
): CrossEntropyResult {
  const g = logits.graph;
  if (logits.shape.length !== 2)
    throw new RangeError(`cross-entropy: logits must be [n, k], got [${logits.shape}]`);
  const [n, k] = logits.shape;
  if (labels.length !== n) throw new RangeError(`cross-entropy: ${labels.length} labels for ${n} rows`);
  const z = logits.data;
  const probabilities = g.alloc(n * k);
  const perExample = g.alloc(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= 0 && label < k)) {
      throw new RangeError(`cross-entropy: label ${label} of row ${i} is not in [0, ${k})`);
    }
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (z[o + j] > max) max = z[o + j];
    let denominator = 0;
    for (let j = 0; j < k; j++) denominator += probabilities[o + j] = Math.exp(z[o + j] - max);
    for (let j = 0; j < k; j++) probabilities[o + j] /= denominator;
    // log-sum-exp form: never log(0), whatever the logits.
    const loss = max + Math.log(denominator) - z[o + label];
    perExample[i] = loss;
    total += loss;
  }
  const factor = reduction === 'mean' ? 1 / n : 1;
  const loss = g.node([], [logits]);
  loss.data[0] = total * factor;
  g.onBackward(loss, (gy) => {
    if (!logits.requiresGrad) return;
    const gz = g.gradOf(logits);
    const d = gy[0] * factor;
    for (let i = 0; i < n; i++) {
      const o = i * k;
      for (let j = 0; j < k; j++) gz[o + j] += d * probabilities[o + j];
      gz[o + labels[i]] -= d;
    }
  });
  return { loss, perExample, probabilities };
}

/** Mean squared error: each example's loss is the mean of (prediction − target)² over its values. */
export function meanSquaredError(
  prediction: Var,
  target: ArrayLike<number>,
  reduction: Reduction = 'mean',
): LossResult {
  const g = prediction.graph;
  if (target.length !== prediction.size) {
    throw new RangeError(`mean squared error: ${target.length} targets for ${prediction.size} predictions`);
  }
  const n = prediction.shape.length === 0 ? 1 : prediction.shape[0];
  const width = prediction.size / n;
  const p = prediction.data;
  const perExample = g.alloc(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * width; j < (i + 1) * width; j++) s += (p[j] - target[j]) ** 2;
    perExample[i] = s / width;
    total += s / width;
  }
  const factor = reduction === 'mean' ? 1 / n : 1;
  const loss = g.node([], [prediction]);
  loss.data[0] = total * factor;
  g.onBackward(loss, (gy) => {
    if (!prediction.requiresGrad) return;
    const gp = g.gradOf(prediction);
    const d = (2 * gy[0] * factor) / width;
    for (let j = 0; j < p.length; j++) gp[j] += d * (p[j] - target[j]);
  });
  return { loss, perExample };
}
