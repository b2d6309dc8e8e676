/**
 * The model outputs the label-issue and backdoor detectors read: out-of-fold probabilities and embeddings
 * from our own classifiers (trained here), or those of a model the user supplied. Missing values are
 * imputed with the feature's mean first — a model cannot read NaN or ±Inf, and the validation detector already
 * reports them.
 */
import type { Dataset } from '../data/dataset.js';
import { type OutOfFoldOptions, outOfFoldProbabilities } from '../defenses/detect/out-of-fold.js';
import type { Tensor } from '../engine/tensor.js';
import type { Classifier } from '../models/classifier.js';

export interface ModelOutputs {
  probs: Tensor;
  embeddings?: Tensor;
  /** 'out-of-fold' (k-fold, trained here) or 'supplied' (the user's model; in-sample). */
  origin: 'out-of-fold' | 'supplied';
}

export interface ModelOutputOptions {
  seed: number;
  model?: Classifier;
  outOfFold?: Omit<OutOfFoldOptions, 'seed'>;
}

export function modelOutputs(dataset: Dataset, opts: ModelOutputOptions): ModelOutputs {
  const complete = withoutMissing(dataset);
  if (opts.model !== undefined) {
    return {
      probs: opts.model.predictProba(complete.x),
      embeddings: opts.model.embed?.(complete.x),
      origin: 'supplied',
    };
  }
  const { probs, embeddings } = outOfFoldProbabilities(complete, { ...opts.outOfFold, seed: opts.seed });
  return { probs, embeddings, origin: 'out-of-fold' };
}

/** The dataset with NaN and ±Inf features replaced by the feature's mean over the other samples (or 0). */
export function withoutMissing(dataset: Dataset): Dataset {
  const x = dataset.x.data;
  if (x.every(Number.isFinite)) return dataset;
  const n = dataset.y.length;
  const d = x.length / n;
  const sum = new Float64Array(d);
  const count = new Float64Array(d);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) continue;
    sum[i % d] += x[i];
    count[i % d]++;
  }
  const filled = Float32Array.from(x, (v, i) => {
    if (Number.isFinite(v)) return v;
    const j = i % d;
    return count[j] > 0 ? sum[j] / count[j] : 0;
  });
  return { ...dataset, x: { shape: dataset.x.shape, data: filled } };
}
