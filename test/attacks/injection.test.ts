import { describe, expect, it } from 'vitest';
import { availabilityPoisoning } from '../../src/attacks/availability.js';
import { featureCollision } from '../../src/attacks/feature-collision.js';
import { featureBox, injectMislabeledDuplicates, injectRandomNoise } from '../../src/attacks/injection.js';
import type { Dataset } from '../../src/data/dataset.js';
import { stratifiedSplit, subset } from '../../src/data/split.js';
import { Graph } from '../../src/engine/autograd.js';
import { softmaxCrossEntropy } from '../../src/engine/losses.js';
import { accuracy } from '../../src/eval/classification.js';
import { createClassifier } from '../../src/models/classifier.js';
import { digitsSplit, fitModel, mean } from './digits.js';
import { expectExactTruth, fingerprint, syntheticDataset } from './helpers.js';

describe('baseline injections', () => {
  for (const seed of [1, 2, 3]) {
    it(`random noise: points inside the data's box, uniform labels, appended (seed ${seed})`, () => {
      const clean = syntheticDataset(seed);
      const before = fingerprint(clean);
      const result = injectRandomNoise(clean, { rate: 0.25, seed });
      expect(result.output.y.length).toBe(150);
      expect(result.truth.injected.map((s) => s.index)).toEqual(
        Array.from({ length: 30 }, (_, k) => 120 + k),
      );
      const { low, high } = featureBox(clean);
      for (const s of result.truth.injected) {
        s.features.forEach((v, j) => {
          expect(v).toBeGreaterThanOrEqual(low[j]);
          expect(v).toBeLessThanOrEqual(high[j]);
        });
      }
      expect(result.truth.changed).toEqual([]);
      expect(result.output.ids?.slice(120, 122)).toEqual(['injected-120', 'injected-121']);
      expect(Array.from(result.output.lines!.slice(118, 122))).toEqual([120, 121, 0, 0]);
      expectExactTruth(clean, before, result);
    });

    it(`mislabelled duplicates: exact copies with another label (seed ${seed})`, () => {
      const clean = syntheticDataset(seed);
      const before = fingerprint(clean);
      const result = injectMislabeledDuplicates(clean, { count: 12, seed });
      const sources = result.truth.params.sources as number[];
      result.truth.injected.forEach((s, k) => {
        const i = sources[k];
        expect(s.features).toEqual(Array.from(clean.x.data.subarray(i * 16, (i + 1) * 16)));
        expect(s.label).not.toBe(clean.y[i]);
      });
      expectExactTruth(clean, before, result);
    });
  }
});

/** A classifier of the kind the availability attack targets: softmax regression on raw features. */
function rawSoftmax(data: Dataset, seed: number) {
  const model = createClassifier('softmax');
  model.fit(data, { epochs: 15, learningRate: 0.01, seed, standardize: 'none' });
  return model;
}

function testLoss(model: ReturnType<typeof rawSoftmax>, test: Dataset): number {
  const g = new Graph();
  return softmaxCrossEntropy(g.constant(model.network.activations(test.x, model.network.logitsLayer)), test.y)
    .loss.data[0];
}

describe('availability poisoning (gradient ascent on the validation loss)', () => {
  it('hurts a softmax regression more than random or duplicated poison of the same size', () => {
    const accuracies: Record<string, number[]> = { noise: [], duplicates: [], optimised: [] };
    for (const seed of [1, 2, 3]) {
      const { train: all, test } = digitsSplit(seed);
      const parts = stratifiedSplit(all.y, 0.3, seed);
      const train = subset(all, parts.train);
      const validation = subset(all, parts.test);
      const before = fingerprint(train);
      const optimised = availabilityPoisoning(train, {
        rate: 0.05,
        validation,
        seed,
        epochs: 15,
        iterations: 8,
      });
      expectExactTruth(train, before, optimised);
      const trace = optimised.info.validationLoss as number[];
      expect(trace.at(-1)!).toBeGreaterThan(2 * trace[0]);
      const runs = {
        noise: injectRandomNoise(train, { rate: 0.05, seed }).output,
        duplicates: injectMislabeledDuplicates(train, { rate: 0.05, seed }).output,
        optimised: optimised.output,
      };
      const losses: Record<string, number> = {};
      for (const [name, data] of Object.entries(runs)) {
        const model = rawSoftmax(data, seed);
        accuracies[name].push(accuracy(model.predict(test.x), test.y));
        losses[name] = testLoss(model, test);
      }
      expect(losses.optimised).toBeGreaterThan(losses.duplicates);
      expect(losses.optimised).toBeGreaterThan(losses.noise);
      expect(accuracies.optimised.at(-1)!).toBeLessThan(accuracies.noise.at(-1)!);
    }
    expect(mean(accuracies.optimised)).toBeLessThan(mean(accuracies.duplicates) - 0.01);
  });

  it('rejects a validation set with other features', () => {
    const { train } = digitsSplit(1);
    expect(() =>
      availabilityPoisoning(train, { count: 3, validation: syntheticDataset(1), seed: 1 }),
    ).toThrow(/same features and classes/);
  });
});

describe('feature collision (Poison Frogs)', () => {
  it('three clean-label poisons move a chosen test input into the base class of a retrained last layer', () => {
    let hits = 0;
    let controlHits = 0;
    let trials = 0;
    for (const seed of [1, 2, 3]) {
      const { train, test } = digitsSplit(seed);
      const extractor = fitModel('mlp', train, seed, { hidden: 128 });
      const predicted = extractor.predict(test.x);
      const embedded = (data: Dataset): Dataset => ({ ...data, x: extractor.embed(data.x) });
      for (let trial = 0; trial < 3; trial++) {
        const t = (seed * 37 + trial * 101) % test.y.length;
        if (predicted[t] !== test.y[t]) continue;
        const target = test.x.data.slice(t * 64, (t + 1) * 64);
        const baseClass = (test.y[t] + 3 + trial) % 10;
        const options = { extractor: extractor.toSnapshot(), target, baseClass, count: 3, seed };
        const poisoned = featureCollision(train, options);
        expect(poisoned.truth.injected.every((s) => s.label === baseClass)).toBe(true);
        expect(poisoned.info.finalFeatureDistance).toBeLessThan(
          0.1 * (poisoned.info.initialFeatureDistance as number),
        );
        const unoptimised = featureCollision(train, { ...options, iterations: 0 });
        const victimSays = (data: Dataset) =>
          fitModel('softmax', embedded(data), seed).predict(
            extractor.embed({ shape: [1, 64], data: target }),
          )[0];
        trials++;
        if (victimSays(poisoned.output) === baseClass) hits++;
        if (victimSays(unoptimised.output) === baseClass) controlHits++;
      }
    }
    expect(trials).toBeGreaterThanOrEqual(6);
    expect(hits / trials).toBeGreaterThanOrEqual(0.8);
    expect(controlHits).toBe(0);
  });

  it('records exact truth and keeps poisons inside the data box', () => {
    const { train, test } = digitsSplit(5);
    const before = fingerprint(train);
    const extractor = fitModel('mlp', train, 5, { hidden: 32, epochs: 5 });
    const target = test.x.data.slice(0, 64);
    const result = featureCollision(train, {
      extractor: extractor.toSnapshot(),
      target,
      baseClass: 4,
      count: 2,
      seed: 5,
      iterations: 20,
    });
    expectExactTruth(train, before, result);
    expect(result.truth.params.target).toEqual(Array.from(target));
    for (const s of result.truth.injected) for (const v of s.features) expect(v >= 0 && v <= 16).toBe(true);
    expect(() =>
      featureCollision(train, {
        extractor: extractor.toSnapshot(),
        target: target.slice(1),
        baseClass: 4,
        count: 2,
        seed: 5,
      }),
    ).toThrow(/the target has 63 features/);
  });
});
