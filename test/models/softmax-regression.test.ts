import { describe, expect, it } from 'vitest';
import { stratifiedKFold, subset } from '../../src/data/split.js';
import { createClassifier } from '../../src/models/classifier.js';
import { softmaxRegressionArchitecture } from '../../src/models/softmax-regression.js';
import { accuracy, digits } from './digits.js';

describe('softmax regression', () => {
  it('is one dense layer (after a flatten for image inputs) and a softmax', () => {
    expect(softmaxRegressionArchitecture([64], 10).layers).toEqual([
      { type: 'dense', inputs: 64, units: 10 },
      { type: 'softmax' },
    ]);
    expect(softmaxRegressionArchitecture([1, 8, 8], 10).layers.map((l) => l.type)).toEqual([
      'flatten',
      'dense',
      'softmax',
    ]);
  });

  for (const seed of [0, 1, 2]) {
    it(`reaches ≥ 0.95 accuracy on digits in 5-fold stratified cross-validation (seed ${seed})`, () => {
      const scores = stratifiedKFold(digits.y, 5, seed).map(({ train, test }) => {
        const model = createClassifier('softmax');
        model.fit(subset(digits, train), { epochs: 30, batchSize: 32, learningRate: 0.01, seed });
        const held = subset(digits, test);
        return accuracy(model.predict(held.x), held.y);
      });
      const mean = scores.reduce((a, b) => a + b) / scores.length;
      expect(mean).toBeGreaterThanOrEqual(0.95);
      expect(Math.min(...scores)).toBeGreaterThan(0.93);
    });
  }
});
