import { describe, expect, it } from 'vitest';
import { applyDatasetTruth } from '../../src/attacks/dataset-truth.js';
import { flipLabelsAdversarial, flipLabelsPair, flipLabelsUniform } from '../../src/attacks/label-flip.js';
import { InputError } from '../../src/errors.js';
import { digitsSplit, fitModel, type Kind, mean, testAccuracy } from './digits.js';
import { expectExactTruth, fingerprint, syntheticDataset } from './helpers.js';

describe('flipLabelsUniform', () => {
  for (const seed of [1, 7, 99]) {
    for (const rate of [0, 0.1, 0.35]) {
      it(`flips round(rate · n) labels to other classes, features untouched (seed ${seed}, rate ${rate})`, () => {
        const clean = syntheticDataset(seed);
        const before = fingerprint(clean);
        const result = flipLabelsUniform(clean, { rate, seed });
        expect(result.poisoned.length).toBe(Math.round(rate * clean.y.length));
        expect(result.output.x.data).toEqual(clean.x.data);
        for (const i of result.poisoned) {
          expect(result.output.y[i]).not.toBe(clean.y[i]);
          expect(result.output.y[i]).toBeGreaterThanOrEqual(0);
          expect(result.output.y[i]).toBeLessThan(clean.numClasses);
        }
        expect(result.truth.changed.every((c) => c.features === undefined)).toBe(true);
        expectExactTruth(clean, before, result);
      });
    }
  }

  it('uses every other class as a new label (seeded, roughly uniform)', () => {
    const clean = syntheticDataset(3, 4000, 2, 4);
    const result = flipLabelsUniform(clean, { rate: 1, seed: 3 });
    const shifts = [0, 0, 0, 0];
    for (const c of result.truth.changed) shifts[(c.label - c.originalLabel + 4) % 4]++;
    expect(shifts[0]).toBe(0);
    for (const s of shifts.slice(1)) expect(Math.abs(s - 4000 / 3)).toBeLessThan(150);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const clean = syntheticDataset(5);
    const a = flipLabelsUniform(clean, { count: 30, seed: 11 });
    const b = flipLabelsUniform(clean, { count: 30, seed: 11 });
    const c = flipLabelsUniform(clean, { count: 30, seed: 12 });
    expect(JSON.stringify(a.truth)).toBe(JSON.stringify(b.truth));
    expect(fingerprint(a.output)).toBe(fingerprint(b.output));
    expect(JSON.stringify(a.truth)).not.toBe(JSON.stringify(c.truth));
  });

  it('keeps ids and lines, drops the source record', () => {
    const clean = syntheticDataset(2);
    const result = flipLabelsUniform(clean, { rate: 0.2, seed: 2 });
    expect(result.output.ids).toEqual(clean.ids);
    expect(result.output.lines).toEqual(clean.lines);
    expect(result.output.source).toBeUndefined();
  });

  it('rejects bad budgets with the option named', () => {
    const clean = syntheticDataset(1);
    expect(() => flipLabelsUniform(clean, { rate: 1.5, seed: 1 })).toThrow(/rate must be from 0 to 1/);
    expect(() => flipLabelsUniform(clean, { rate: 0.1, count: 3, seed: 1 })).toThrow(InputError);
    expect(() => flipLabelsUniform(clean, { seed: 1 })).toThrow(/exactly one of rate and count/);
    expect(() => flipLabelsUniform(clean, { count: 500, seed: 1 })).toThrow(/asks for 500 samples/);
    expect(() => flipLabelsUniform(clean, { count: 2.5, seed: 1 })).toThrow(/non-negative integer/);
  });
});

describe('applyDatasetTruth', () => {
  it('refuses a truth that does not belong to the dataset, naming the sample', () => {
    const clean = syntheticDataset(1);
    const { truth } = flipLabelsUniform(clean, { count: 5, seed: 1 });
    expect(() => applyDatasetTruth(syntheticDataset(1, 100), truth)).toThrow(/the truth is for 120 samples/);
    const relabelled = { ...clean, y: clean.y.map((v) => (v + 1) % clean.numClasses) };
    expect(() => applyDatasetTruth(relabelled, truth)).toThrow(
      new RegExp(`row ${truth.changed[0].index + 1}, field "changed": the truth says label`),
    );
  });
});

describe('flipLabelsPair', () => {
  for (const seed of [4, 8, 15]) {
    it(`turns a fraction of the source class into the target (seed ${seed})`, () => {
      const clean = syntheticDataset(seed);
      const before = fingerprint(clean);
      const sourceCount = clean.y.filter((v) => v === 1).length;
      const result = flipLabelsPair(clean, { source: 1, target: 3, rate: 0.5, seed });
      expect(result.poisoned.length).toBe(Math.round(0.5 * sourceCount));
      for (const c of result.truth.changed) {
        expect(c.originalLabel).toBe(1);
        expect(c.label).toBe(3);
      }
      expect(result.truth.params).toEqual({ rate: 0.5, source: 1, target: 3 });
      expectExactTruth(clean, before, result);
    });
  }

  it('rejects a class outside the dataset and source = target', () => {
    const clean = syntheticDataset(1);
    expect(() => flipLabelsPair(clean, { source: 1, target: 9, rate: 0.5, seed: 1 })).toThrow(
      /class 9 is outside/,
    );
    expect(() => flipLabelsPair(clean, { source: 2, target: 2, rate: 0.5, seed: 1 })).toThrow(/same class/);
  });
});

describe('flipLabelsAdversarial', () => {
  it('flips the samples whose flip the surrogate finds most costly, each to its least likely class', () => {
    const clean = { ...syntheticDataset(1, 6, 2, 3), y: Int32Array.of(0, 1, 0, 2, 2, 1) };
    // Rows 1 and 4 are the most confident; their least likely classes are 2 and 0.
    const probabilities = Float32Array.of(
      ...[0.5, 0.3, 0.2],
      ...[0.01, 0.98, 0.01 / 2],
      ...[0.4, 0.4, 0.2],
      ...[0.3, 0.3, 0.4],
      ...[0.001, 0.009, 0.99],
      ...[0.2, 0.5, 0.3],
    );
    const result = flipLabelsAdversarial(clean, {
      probabilities: { shape: [6, 3], data: probabilities },
      count: 2,
      seed: 1,
    });
    expect(result.truth.changed.map((c) => [c.index, c.label])).toEqual([
      [1, 2],
      [4, 0],
    ]);
  });

  it('rejects probabilities of the wrong shape', () => {
    const clean = syntheticDataset(1, 6, 2, 3);
    expect(() =>
      flipLabelsAdversarial(clean, {
        probabilities: { shape: [5, 3], data: new Float32Array(15) },
        count: 2,
        seed: 1,
      }),
    ).toThrow(/probabilities must be \[6, 3\]/);
  });

  for (const kind of ['softmax', 'mlp'] as Kind[]) {
    it(`at 20 % costs at least as much accuracy as uniform flipping, and more on average (${kind} victim)`, () => {
      const uniformDrops: number[] = [];
      const adversarialDrops: number[] = [];
      for (const seed of [1, 2, 3, 4]) {
        const { train, test } = digitsSplit(seed);
        const before = fingerprint(train);
        const surrogate = fitModel('softmax', train, seed);
        const adversarial = flipLabelsAdversarial(train, {
          probabilities: surrogate.predictProba(train.x),
          rate: 0.2,
          seed,
        });
        expectExactTruth(train, before, adversarial);
        const uniform = flipLabelsUniform(train, { rate: 0.2, seed });
        expect(adversarial.poisoned.length).toBe(uniform.poisoned.length);
        const clean = testAccuracy(fitModel(kind, train, seed), test);
        const uniformDrop = clean - testAccuracy(fitModel(kind, uniform.output, seed), test);
        const adversarialDrop = clean - testAccuracy(fitModel(kind, adversarial.output, seed), test);
        expect(adversarialDrop).toBeGreaterThanOrEqual(uniformDrop);
        uniformDrops.push(uniformDrop);
        adversarialDrops.push(adversarialDrop);
      }
      expect(mean(adversarialDrops)).toBeGreaterThan(mean(uniformDrops) + 0.05);
    });
  }
});
