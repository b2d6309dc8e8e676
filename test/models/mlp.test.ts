import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/models/classifier.js';
import { mlpArchitecture, mlpOptionsSchema } from '../../src/models/mlp.js';
import { holdOutAccuracy } from './digits.js';

describe('MLP', () => {
  it('stacks dense + activation per hidden size; the embedding is the last hidden activation', () => {
    const arch = mlpArchitecture([64], 10, mlpOptionsSchema.parse({ hidden: [32, 16], activation: 'tanh' }));
    expect(arch.layers).toEqual([
      { type: 'dense', inputs: 64, units: 32 },
      { type: 'tanh' },
      { type: 'dense', inputs: 32, units: 16 },
      { type: 'tanh' },
      { type: 'dense', inputs: 16, units: 10 },
      { type: 'softmax' },
    ]);
    expect(arch.embeddingLayer).toBe(3);
    expect(mlpArchitecture([1, 8, 8], 10, mlpOptionsSchema.parse({})).layers[0]).toEqual({ type: 'flatten' });
  });

  for (const seed of [0, 1, 2]) {
    it(`reaches ≥ 0.95 held-out accuracy on digits (seed ${seed})`, () => {
      const score = holdOutAccuracy(
        () => createClassifier('mlp', { hidden: [64] }),
        { epochs: 20, batchSize: 32, learningRate: 0.003 },
        seed,
      );
      expect(score).toBeGreaterThanOrEqual(0.95);
    });
  }
});
