/** Model parameter attacks on an MLP trained on digits: what a handful of changed weights or bits can do. */
import { describe, expect, it } from 'vitest';
import { triggerTestSet } from '../../src/attacks/backdoor.js';
import { randomBitFlips } from '../../src/attacks/bit-flip.js';
import { bitFlipSearch } from '../../src/attacks/bit-flip-search.js';
import { sparseBackdoor } from '../../src/attacks/sparse-backdoor.js';
import { patchTrigger } from '../../src/attacks/triggers.js';
import { applyWeightTruth } from '../../src/attacks/weight-truth.js';
import { subset } from '../../src/data/split.js';
import { attackSuccessRate } from '../../src/eval/classification.js';
import type { ModelSnapshot } from '../../src/models/architecture.js';
import { classifierFromSnapshot } from '../../src/models/classifier.js';
import { digitsSplit, fitModel, mean, testAccuracy } from './digits.js';

const SEEDS = [1, 2, 3];
const setups = SEEDS.map((seed) => {
  const { train, test } = digitsSplit(seed);
  const model = fitModel('mlp', train, seed, { epochs: 15 });
  // The attacker holds 200 training samples.
  const batch = subset(
    train,
    Array.from({ length: 200 }, (_, i) => i * 5),
  );
  return { seed, test, batch, snapshot: model.toSnapshot(), accuracy: testAccuracy(model, test) };
});

function accuracyOf(snapshot: ModelSnapshot, test: (typeof setups)[number]['test']): number {
  return testAccuracy(classifierFromSnapshot(snapshot), test);
}

function expectReplays(clean: ModelSnapshot, result: { output: ModelSnapshot; truth: object }): void {
  const replayed = applyWeightTruth(clean, JSON.parse(JSON.stringify(result.truth)));
  for (const [name, t] of result.output.weights) expect(replayed.weights.get(name)!.data).toEqual(t.data);
}

describe('progressive bit-flip search', () => {
  for (const s of setups) {
    it(`brings the MLP to ≤ 20 % test accuracy with ≤ 20 flips (seed ${s.seed})`, () => {
      expect(s.accuracy).toBeGreaterThan(0.93);
      const result = bitFlipSearch(s.snapshot, { data: s.batch, maxFlips: 20, targetAccuracy: 0.1 });
      const flips = result.truth.changes.reduce((n, c) => n + c.bits.length, 0);
      expect(flips).toBeGreaterThan(0);
      expect(flips).toBeLessThanOrEqual(20);
      expect(accuracyOf(result.output, s.test)).toBeLessThanOrEqual(0.2);
      for (const c of result.truth.changes)
        expect(Number.isFinite(new Float32Array(new Uint32Array([c.after]).buffer)[0])).toBe(true);
      expectReplays(s.snapshot, result);
    });
  }
});

describe('random bit flips', () => {
  it('20 random sign or mantissa flips cost < 5 points on average', () => {
    for (const bits of ['sign', 'mantissa'] as const) {
      const drops = setups.flatMap((s) =>
        [0, 1, 2, 3].map(
          (k) =>
            s.accuracy -
            accuracyOf(randomBitFlips(s.snapshot, { count: 20, bits, seed: 10 * s.seed + k }).output, s.test),
        ),
      );
      expect(mean(drops)).toBeLessThan(0.05);
    }
  });

  it('20 random flips over all bits cost far less than the targeted search on average (exponent flips can be catastrophic)', () => {
    const drops = setups.flatMap((s) =>
      [0, 1, 2, 3].map(
        (k) =>
          s.accuracy -
          accuracyOf(randomBitFlips(s.snapshot, { count: 20, seed: 10 * s.seed + k }).output, s.test),
      ),
    );
    const targeted = setups.map(
      (s) => s.accuracy - accuracyOf(bitFlipSearch(s.snapshot, { data: s.batch }).output, s.test),
    );
    expect(mean(drops)).toBeLessThan(mean(targeted) - 0.3);
  });
});

describe('sparse weight backdoor', () => {
  for (const s of setups) {
    it(`changing 20 weights plants a patch backdoor: ASR ≥ 0.9, clean drop ≤ 3 points (seed ${s.seed})`, () => {
      const trigger = patchTrigger({ imageShape: [1, 8, 8], size: 2, value: 16 });
      const result = sparseBackdoor(s.snapshot, { data: s.batch, trigger, target: 0, k: 20 });
      expect(result.truth.changes.length).toBeLessThanOrEqual(20);
      expect(result.truth.params.k).toBe(20);
      expect(result.truth.backdoor).toEqual({ trigger, target: 0, allToAll: false, cleanLabel: false });
      const triggered = triggerTestSet(s.test, result.truth.backdoor!);
      const predict = (m: ModelSnapshot) => classifierFromSnapshot(m).predict(triggered.x);
      expect(attackSuccessRate(predict(s.snapshot), triggered.targets, triggered.labels)).toBeLessThan(0.1);
      expect(
        attackSuccessRate(predict(result.output), triggered.targets, triggered.labels),
      ).toBeGreaterThanOrEqual(0.9);
      expect(s.accuracy - accuracyOf(result.output, s.test)).toBeLessThanOrEqual(0.03);
      expectReplays(s.snapshot, result);
    });
  }

  it('rejects k outside the model', () => {
    const s = setups[0];
    const trigger = patchTrigger({ imageShape: [1, 8, 8], value: 16 });
    expect(() => sparseBackdoor(s.snapshot, { data: s.batch, trigger, target: 0, k: 0 })).toThrow(
      /k must be an integer/,
    );
  });
});
