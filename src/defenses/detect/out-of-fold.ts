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
  /** Default 5; 3 from 20,000 samples on (see defaultFolds). */
  folds?: number;
  /** Default 'mlp'. */
  model?: ClassifierKind;
  /** Options of the model kind (e.g. `{ hidden: [128] }` for an MLP). */
  modelOptions?: Record<string, unknown>;
  /** Training epochs of every model (default 10, fewer on large sets: see defaultEpochs). */
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
  const n = dataset.y.length;
  const { folds = defaultFolds(n), model = 'mlp', modelOptions = {}, epochs = defaultEpochs(n) } = opts;
  const { batchSize = 64, seed } = opts;
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

/**
 * Large sets need neither 5 folds nor 10 epochs: with 20,000 samples or more, each of 3 folds still trains
 * on 13,000+ samples, and the out-of-fold probabilities of an MLP change little past a few passes over that
 * many — while the training is most of a scan's time (60,000 Fashion-MNIST images: 165 s at 5 × 10).
 */
const LARGE_SET = 20_000;
/** Samples each model is shown in all (epochs × n) once the set is large: 3 epochs at 60,000. */
const SAMPLES_SEEN = 200_000;

function defaultFolds(n: number): number {
  return n >= LARGE_SET ? 3 : 5;
}

function defaultEpochs(n: number): number {
  return Math.max(2, Math.min(10, Math.round(SAMPLES_SEEN / n)));
}

function smallestClass(dataset: Dataset): number {
  const counts = new Int32Array(dataset.numClasses);
  for (const c of dataset.y) counts[c]++;
  return Math.min(...counts);
}
