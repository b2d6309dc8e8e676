/** Seeded digits splits and small classifiers shared by the tests that train models. */
import { loadDigits } from '../../src/data/bundled.js';
import type { Dataset } from '../../src/data/dataset.js';
import { stratifiedSplit, subset } from '../../src/data/split.js';
import { accuracy } from '../../src/eval/classification.js';
import { createClassifier, type NetworkClassifier } from '../../src/models/classifier.js';

const digits = loadDigits();

/** A stratified 75 / 25 train / test split of the bundled digits. */
export function digitsSplit(seed: number): { train: Dataset; test: Dataset } {
  const { train, test } = stratifiedSplit(digits.y, 0.25, seed);
  return { train: subset(digits, train), test: subset(digits, test) };
}

export type Kind = 'softmax' | 'mlp';

/** A softmax regression or a one-hidden-layer MLP, trained with Adam (lr 0.01). */
export function fitModel(
  kind: Kind,
  data: Dataset,
  seed: number,
  options: { hidden?: number; epochs?: number } = {},
): NetworkClassifier {
  const model = createClassifier(kind, kind === 'mlp' ? { hidden: [options.hidden ?? 64] } : {});
  model.fit(data, { epochs: options.epochs ?? 20, learningRate: 0.01, seed });
  return model;
}

export function testAccuracy(model: { predict(x: Dataset['x']): Int32Array }, test: Dataset): number {
  return accuracy(model.predict(test.x), test.y);
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
