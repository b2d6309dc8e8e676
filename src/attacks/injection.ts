/**
 * Baseline injection attacks: the attacker adds samples to the training set (appended after the clean ones)
 * without optimising them. They set the bar the optimised poisons (availability.ts, feature-collision.ts)
 * must clear, and exercise detectors on the crudest poison there is.
 */
import type { Dataset } from '../data/dataset.js';
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';
import { resolveBudget } from './budget.js';
import { budgetParams, requireClasses } from './checks.js';
import { type DatasetAttackResult, PoisonedDatasetBuilder, rowLength } from './dataset-truth.js';
import type { Budget } from './types.js';

/** A box that holds the data: the per-feature minimum and maximum over the samples. */
export interface FeatureBox {
  low: Float32Array;
  high: Float32Array;
}

export function featureBox(dataset: Dataset): FeatureBox {
  const n = dataset.y.length;
  const d = rowLength(dataset);
  if (n === 0) throw new InputError('the dataset has no samples', { field: 'x' });
  const low = new Float32Array(d).fill(Number.POSITIVE_INFINITY);
  const high = new Float32Array(d).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = dataset.x.data[i * d + j];
      if (v < low[j]) low[j] = v;
      if (v > high[j]) high[j] = v;
    }
  }
  return { low, high };
}

/**
 * Injects round(rate · n) (or `count`) points drawn uniformly from the data's bounding box, each with a
 * uniformly drawn label.
 */
export function injectRandomNoise(dataset: Dataset, opts: Budget & { seed: number }): DatasetAttackResult {
  requireClasses(dataset, 2);
  const n = dataset.y.length;
  const k = resolveBudget(opts, n, Number.MAX_SAFE_INTEGER, 'samples');
  const { low, high } = featureBox(dataset);
  const rng = new Rng(opts.seed);
  const builder = new PoisonedDatasetBuilder(dataset);
  const row = new Float32Array(builder.rowLength);
  for (let s = 0; s < k; s++) {
    for (let j = 0; j < row.length; j++) row[j] = low[j] + (high[j] - low[j]) * rng.float();
    builder.inject(row, rng.int(dataset.numClasses));
  }
  const built = builder.build({
    family: 'injection',
    attack: 'random-noise',
    seed: opts.seed,
    params: budgetParams(opts),
  });
  return { ...built, info: {} };
}

/**
 * Injects round(rate · n) (or `count`) exact copies of uniformly chosen training samples, each labelled with
 * a uniformly chosen other class: contradicting duplicates, the poison a de-duplication check should catch.
 */
export function injectMislabeledDuplicates(
  dataset: Dataset,
  opts: Budget & { seed: number },
): DatasetAttackResult {
  requireClasses(dataset, 2);
  const n = dataset.y.length;
  const k = resolveBudget(opts, n, Number.MAX_SAFE_INTEGER, 'samples');
  const rng = new Rng(opts.seed);
  const builder = new PoisonedDatasetBuilder(dataset);
  const K = dataset.numClasses;
  const sources: number[] = [];
  for (let s = 0; s < k; s++) {
    const i = rng.int(n);
    sources.push(i);
    builder.inject(builder.row(i), (dataset.y[i] + 1 + rng.int(K - 1)) % K);
  }
  const built = builder.build({
    family: 'injection',
    attack: 'mislabeled-duplicates',
    seed: opts.seed,
    params: { ...budgetParams(opts), sources },
  });
  return { ...built, info: {} };
}
