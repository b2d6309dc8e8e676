/**
 * Out-of-fold predicted probabilities (the input of confident learning, Northcutt et al. 2021): every sample
 * is scored by a model that never saw it, trained on the other k − 1 stratified folds. The embeddings come
 * from one more model fitted on all the data — the representation a backdoor shows up in (Tran et al. 2018),
 * and one shared space, which per-fold embeddings would not be.
 */
import type { Dataset } from '../../data/dataset.js';
import { stratifiedKFold, subset } from '../../data/split.js';
import { Rng } from '../../engine/rng.js';
import type { Tensor } from '../../engine/tensor.js';
import { InputError } from '../../errors.js';
import { type ClassifierKind, createClassifier, type NetworkClassifier } from '../../models/classifier.js';

export interface OutOfFoldOptions {
  seed: number;
  /** Default 5. */
  folds?: number;
  /** Default 'mlp'. */
  model?: ClassifierKind;
  /** Options of the model kind (e.g. `{ hidden: [128] }` for an MLP). */
  modelOptions?: Record<string, unknown>;
  /** Training epochs of every model (default 10). */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  learningRate?: number;
  /** Skip the model on all data (and return no embeddings) when only the probabilities are needed. */
  embeddings?: boolean;
  signal?: AbortSignal;
  /** Called after each model is trained (folds, then the full model). */
  progress?(done: number, total: number): void;
}

export interface OutOfFoldResult {
  /** [n, numClasses]: row i from the model that did not see sample i. */
  probs: Tensor;
  /** [n, e]: the penultimate layer of a model trained on all the data (absent when not asked for). */
  embeddings?: Tensor;
  /** The model trained on all the data (absent when embeddings were not asked for). */
  model?: NetworkClassifier;
}

export function outOfFoldProbabilities(dataset: Dataset, opts: OutOfFoldOptions): OutOfFoldResult {
  const { folds = 5, model = 'mlp', modelOptions = {}, epochs = 10, batchSize = 64, seed } = opts;
  const n = dataset.y.length;
  const k = dataset.numClasses;
  const minClass = smallestClass(dataset);
  if (minClass < folds) {
    throw new InputError(
      `${folds}-fold cross-validation needs ${folds} samples of every class; one has ${minClass}`,
      {
        field: 'folds',
      },
    );
  }
  const rng = new Rng(seed);
  const splits = stratifiedKFold(dataset.y, folds, rng.nextUint32());
  const wantEmbeddings = opts.embeddings ?? true;
  const total = folds + (wantEmbeddings ? 1 : 0);
  const fit = { epochs, batchSize, learningRate: opts.learningRate, signal: opts.signal };
  const probs = new Float32Array(n * k);
  splits.forEach((split, f) => {
    const classifier = createClassifier(model, modelOptions);
    classifier.fit(subset(dataset, split.train), { ...fit, seed: rng.nextUint32() });
    const held = subset(dataset, split.test);
    const p = classifier.predictProba(held.x).data;
    for (let r = 0; r < split.test.length; r++) probs.set(p.subarray(r * k, (r + 1) * k), split.test[r] * k);
    opts.progress?.(f + 1, total);
  });
  const result: OutOfFoldResult = { probs: { shape: [n, k], data: probs } };
  if (wantEmbeddings) {
    const full = createClassifier(model, modelOptions);
    full.fit(dataset, { ...fit, seed: rng.nextUint32() });
    result.embeddings = full.embed(dataset.x);
    result.model = full;
    opts.progress?.(total, total);
  }
  return result;
}

function smallestClass(dataset: Dataset): number {
  const counts = new Int32Array(dataset.numClasses);
  for (const c of dataset.y) counts[c]++;
  return Math.min(...counts);
}
