/** Test helper: held-out accuracy of a classifier kind on the bundled UCI digits. */
import { loadDigits } from '../../src/data/bundled.js';
import { stratifiedSplit, subset } from '../../src/data/split.js';
import type { FitOptions, NetworkClassifier } from '../../src/models/classifier.js';

export const digits = loadDigits();

export function accuracy(predicted: Int32Array, y: Int32Array): number {
  return predicted.reduce((s, p, i) => s + (p === y[i] ? 1 : 0), 0) / y.length;
}

/** Fits a fresh model on 75 % of the digits (stratified, seeded) and returns its accuracy on the rest. */
export function holdOutAccuracy(make: () => NetworkClassifier, options: FitOptions, seed: number): number {
  const { train, test } = stratifiedSplit(digits.y, 0.25, seed);
  const model = make();
  model.fit(subset(digits, train), { ...options, seed });
  const held = subset(digits, test);
  return accuracy(model.predict(held.x), held.y);
}
