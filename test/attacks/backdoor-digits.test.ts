/** Backdoors demonstrably work: trained on poisoned digits, a model obeys the trigger and stays accurate. */
import { describe, expect, it } from 'vitest';
import { plantBackdoor, triggerTestSet } from '../../src/attacks/backdoor.js';
import type { DatasetAttackResult } from '../../src/attacks/dataset-truth.js';
import { blendTrigger, patchTrigger, type TriggerSpec } from '../../src/attacks/triggers.js';
import type { Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/rng.js';
import { attackSuccessRate } from '../../src/eval/classification.js';
import { digitsSplit, fitModel, type Kind, testAccuracy } from './digits.js';
import { expectExactTruth, fingerprint } from './helpers.js';

const SEEDS = [1, 2, 3];

function evaluate(kind: Kind, poisoned: DatasetAttackResult, clean: Dataset, test: Dataset, seed: number) {
  const cleanModel = fitModel(kind, clean, seed);
  const model = fitModel(kind, poisoned.output, seed);
  const triggered = triggerTestSet(test, poisoned.truth.backdoor!);
  return {
    drop: testAccuracy(cleanModel, test) - testAccuracy(model, test),
    asr: attackSuccessRate(model.predict(triggered.x), triggered.targets, triggered.labels),
    asrClean: attackSuccessRate(cleanModel.predict(triggered.x), triggered.targets, triggered.labels),
  };
}

describe('backdoors on digits', () => {
  for (const seed of SEEDS) {
    it(`BadNets, 10 % poison: ASR ≥ 0.90, clean accuracy drop ≤ 2 points (MLP, seed ${seed})`, () => {
      const { train, test } = digitsSplit(seed);
      const before = fingerprint(train);
      const trigger = patchTrigger({ imageShape: [1, 8, 8], size: 2, value: 16 });
      const poisoned = plantBackdoor(train, { trigger, target: 0, rate: 0.1, seed });
      expectExactTruth(train, before, poisoned);
      const { drop, asr, asrClean } = evaluate('mlp', poisoned, train, test, seed);
      expect(asr).toBeGreaterThanOrEqual(0.9);
      expect(asrClean).toBeLessThan(0.1);
      expect(drop).toBeLessThanOrEqual(0.02);
    });

    it(`blended random pattern (α = 0.2), 10 % poison: ASR ≥ 0.80 (softmax, seed ${seed})`, () => {
      const { train, test } = digitsSplit(seed);
      const trigger = blendTrigger({ features: 64, alpha: 0.2, range: [0, 16], seed });
      const poisoned = plantBackdoor(train, { trigger, target: 3, rate: 0.1, seed });
      const { drop, asr, asrClean } = evaluate('softmax', poisoned, train, test, seed);
      expect(asr).toBeGreaterThanOrEqual(0.8);
      expect(asrClean).toBeLessThan(0.2);
      expect(drop).toBeLessThanOrEqual(0.03);
    });

    it(`SIG clean-label (no label changed): ASR ≥ 0.80 (softmax, seed ${seed})`, () => {
      const { train, test } = digitsSplit(seed);
      const trigger: TriggerSpec = {
        kind: 'signal',
        imageShape: [1, 8, 8],
        delta: 8,
        testDelta: 14,
        frequency: 1,
        range: [0, 16],
      };
      const targetCount = train.y.filter((y) => y === 0).length;
      const poisoned = plantBackdoor(train, {
        trigger,
        target: 0,
        cleanLabel: true,
        count: Math.round(0.8 * targetCount),
        seed,
      });
      expect(Array.from(poisoned.output.y)).toEqual(Array.from(train.y));
      const { drop, asr, asrClean } = evaluate('softmax', poisoned, train, test, seed);
      expect(asr).toBeGreaterThanOrEqual(0.8);
      expect(asrClean).toBeLessThan(0.5);
      expect(drop).toBeLessThanOrEqual(0.02);
    });
  }

  it('all-to-all BadNets sends each class to the next one', () => {
    const { train, test } = digitsSplit(4);
    const trigger = patchTrigger({ imageShape: [1, 8, 8], size: 2, value: 16, position: 'top-left' });
    const poisoned = plantBackdoor(train, { trigger, allToAll: true, rate: 0.2, seed: 4 });
    const { asr, drop } = evaluate('mlp', poisoned, train, test, 4);
    expect(asr).toBeGreaterThanOrEqual(0.8);
    expect(drop).toBeLessThanOrEqual(0.03);
  });
});

/** Two Gaussian blobs per class in 12 dimensions: a tabular dataset with no image structure. */
function tabularBlobs(seed: number, n: number): Dataset {
  const rng = new Rng(seed);
  const centers = Array.from({ length: 3 }, () => Array.from({ length: 12 }, () => 3 * rng.normal()));
  const x = new Float32Array(n * 12);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(3);
    for (let j = 0; j < 12; j++) x[i * 12 + j] = centers[y[i]][j] + rng.normal();
  }
  return { x: { shape: [n, 12], data: x }, y, numClasses: 3 };
}

describe('tabular trigger', () => {
  for (const seed of SEEDS) {
    it(`a set of feature values acts as a backdoor on tabular data (seed ${seed})`, () => {
      const train = tabularBlobs(seed, 900);
      const test = tabularBlobs(seed, 300);
      const trigger: TriggerSpec = { kind: 'tabular', features: [2, 7], values: [9, -9] };
      const poisoned = plantBackdoor(train, { trigger, target: 1, rate: 0.05, seed });
      const { asr, drop } = evaluate('mlp', poisoned, train, test, seed);
      expect(asr).toBeGreaterThanOrEqual(0.9);
      expect(drop).toBeLessThanOrEqual(0.02);
    });
  }
});
