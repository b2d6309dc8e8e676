import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  accuracy,
  accuracyDrop,
  argmaxRows,
  attackSuccessRate,
  confusionMatrix,
  defenceEffectivenessRating,
  perClassMetrics,
  perRoundAccuracy,
} from '../../src/eval/classification.js';

describe('classification metrics', () => {
  it('argmaxRows picks the largest score per row, the lowest class on ties', () => {
    const scores = { shape: [3, 3], data: Float32Array.of(0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1) };
    expect(Array.from(argmaxRows(scores))).toEqual([1, 0, 2]);
  });

  it('accuracy and accuracy drop', () => {
    expect(accuracy([0, 1, 2, 2], [0, 1, 1, 2])).toBe(0.75);
    expect(accuracyDrop(0.95, 0.9)).toBeCloseTo(0.05, 12);
    expect(() => accuracy([0, 1], [0])).toThrow(InputError);
  });

  it('ASR counts only triggered inputs whose true class is not the target', () => {
    // Rows: target 3 each; rows 0 and 4 are of class 3 already and are ignored.
    const predictions = [3, 3, 1, 3, 0];
    const targets = [3, 3, 3, 3, 3];
    const labels = [3, 0, 1, 2, 3];
    expect(attackSuccessRate(predictions, targets, labels)).toBeCloseTo(2 / 3, 12);
    // All-to-all: each row has its own target.
    expect(attackSuccessRate([1, 2, 2], [1, 2, 0], [0, 1, 2])).toBeCloseTo(2 / 3, 12);
    expect(attackSuccessRate([0], [0], [0])).toBeNaN();
  });

  it('DER follows BackdoorBench: [max(0, ΔASR) − max(0, ΔACC) + 1] / 2', () => {
    expect(
      defenceEffectivenessRating({ accuracyBefore: 0.9, asrBefore: 1, accuracyAfter: 0.9, asrAfter: 0 }),
    ).toBe(1);
    expect(
      defenceEffectivenessRating({ accuracyBefore: 0.9, asrBefore: 1, accuracyAfter: 0.9, asrAfter: 1 }),
    ).toBe(0.5);
    // ΔASR = 0.8, ΔACC = 0.1 → (0.8 − 0.1 + 1) / 2 = 0.85.
    expect(
      defenceEffectivenessRating({ accuracyBefore: 0.9, asrBefore: 0.9, accuracyAfter: 0.8, asrAfter: 0.1 }),
    ).toBeCloseTo(0.85, 12);
    // A defence that raises accuracy or ASR gets no credit or blame for the rise.
    expect(
      defenceEffectivenessRating({ accuracyBefore: 0.8, asrBefore: 0.2, accuracyAfter: 0.9, asrAfter: 0.5 }),
    ).toBe(0.5);
  });

  it('per-round accuracy is the accuracy of each round', () => {
    expect(
      perRoundAccuracy(
        [
          [0, 0, 0],
          [0, 1, 0],
          [0, 1, 2],
        ],
        [0, 1, 2],
      ),
    ).toEqual([1 / 3, 2 / 3, 1]);
  });

  it('confusion matrix and per-class precision/recall on a worked example', () => {
    const labels = [0, 0, 0, 1, 1, 2];
    const predictions = [0, 0, 1, 1, 2, 2];
    const m = confusionMatrix(predictions, labels, 3);
    expect(m).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    const metrics = perClassMetrics(m);
    expect(metrics[0]).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, support: 3 });
    expect(metrics[1].precision).toBe(0.5);
    expect(metrics[1].recall).toBe(0.5);
    expect(metrics[2].precision).toBe(0.5);
    expect(metrics[2].recall).toBe(1);
    expect(metrics[2].f1).toBeCloseTo(2 / 3, 12);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/class 3 is outside/);
  });

  it('a class never predicted nor present has NaN precision and recall', () => {
    const [, absent] = perClassMetrics(confusionMatrix([0, 0], [0, 0], 2));
    expect(absent.precision).toBeNaN();
    expect(absent.recall).toBeNaN();
    expect(absent.f1).toBeNaN();
  });
});
