import { describe, expect, it } from 'vitest';
import { Network } from '../../src/engine/network.js';
import { Rng } from '../../src/engine/rng.js';
import { InputError } from '../../src/errors.js';
import { createClassifier } from '../../src/models/classifier.js';
import { cnnArchitecture, cnnInputShape, cnnOptionsSchema } from '../../src/models/cnn.js';
import { digits, holdOutAccuracy } from './digits.js';

describe('CNN', () => {
  it('is conv-pool-relu twice, then dense-relu-dense, with "same" padding', () => {
    const arch = cnnArchitecture(
      [1, 8, 8],
      10,
      cnnOptionsSchema.parse({ filters: [4, 6], kernelSize: 5, hidden: 20 }),
    );
    expect(arch.layers.map((l) => l.type)).toEqual([
      'conv2d',
      'maxpool2d',
      'relu',
      'conv2d',
      'maxpool2d',
      'relu',
      'flatten',
      'dense',
      'relu',
      'dense',
      'softmax',
    ]);
    expect(arch.layers[3]).toMatchObject({ inChannels: 4, filters: 6, kernelSize: [5, 5], padding: [2, 2] });
    expect(arch.layers[7]).toEqual({ type: 'dense', inputs: 6 * 2 * 2, units: 20 });
    expect(arch.embeddingLayer).toBe(8);
  });

  it('pooling before the ReLU gives the same outputs and input gradients as ReLU before pooling', () => {
    for (const seed of [1, 2, 3]) {
      const arch = cnnArchitecture([1, 8, 8], 10, cnnOptionsSchema.parse({ filters: [3, 4], hidden: 6 }));
      const reordered = structuredClone(arch);
      for (const i of [1, 4])
        [reordered.layers[i], reordered.layers[i + 1]] = [arch.layers[i + 1], arch.layers[i]];
      expect(reordered.layers[1].type).toBe('relu');
      const net = Network.initialize(arch, seed);
      const other = new Network(reordered, net.weights());
      const rng = new Rng(seed);
      const x = { shape: [5, 64], data: Float32Array.from({ length: 320 }, () => rng.normal()) };
      const labels = Int32Array.from({ length: 5 }, () => rng.int(10));
      expect(Array.from(other.forward(x).data)).toEqual(Array.from(net.forward(x).data));
      expect(Array.from(other.inputGradient(x, labels).gradient.data)).toEqual(
        Array.from(net.inputGradient(x, labels).gradient.data),
      );
    }
  });

  it('finds the image shape of flat rows, or takes the configured one', () => {
    expect(cnnInputShape([64])).toEqual([1, 8, 8]);
    expect(cnnInputShape([3, 4, 5])).toEqual([3, 4, 5]);
    expect(cnnInputShape([48], [3, 4, 4])).toEqual([3, 4, 4]);
    expect(() => cnnInputShape([48])).toThrow(InputError);
    expect(() => cnnInputShape([64], [1, 8, 7])).toThrow(/does not hold the data's 64 features/);
    expect(() => cnnArchitecture([1, 3, 3], 10, cnnOptionsSchema.parse({}))).toThrow(/too small/);
  });

  it('trains the same on flat rows and on [n, 1, 8, 8] images', () => {
    const images = { ...digits, x: { shape: [digits.y.length, 1, 8, 8], data: digits.x.data } };
    const trainOn = (data: typeof digits) => {
      const model = createClassifier('cnn', { filters: [2, 3], hidden: 8 });
      model.fit(data, { epochs: 1, seed: 4 });
      return model.toSnapshot();
    };
    const [flat, shaped] = [trainOn(digits), trainOn(images)];
    expect(flat.architecture.inputShape).toEqual([1, 8, 8]);
    for (const [name, t] of flat.weights)
      expect(Array.from(shaped.weights.get(name)!.data)).toEqual(Array.from(t.data));
  });

  for (const seed of [0, 1, 2]) {
    it(`reaches ≥ 0.95 held-out accuracy on digits (seed ${seed})`, () => {
      const score = holdOutAccuracy(
        () => createClassifier('cnn', { filters: [8, 16], hidden: 64 }),
        { epochs: 15, batchSize: 32, learningRate: 0.003 },
        seed,
      );
      expect(score).toBeGreaterThanOrEqual(0.95);
    });
  }
});
