import { describe, expect, it } from 'vitest';
import { confidentLearning } from '../../../src/defenses/detect/confident-learning.js';

describe('confidentLearning', () => {
  it('prunes the sample confidently in another class (worked example)', () => {
    // Two classes; sample 3 is labelled 0 but the model is 90% sure of class 1.
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1]);
    const probs = Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.1, 0.9]);
    const result = confidentLearning(labels, probs, 2);
    // t_0 = mean(0.9, 0.8, 0.7, 0.1) = 0.625; t_1 = mean(0.8, 0.7, 0.9) = 0.8.
    expect(result.thresholds[0]).toBeCloseTo(0.625, 6);
    expect(result.thresholds[1]).toBeCloseTo(0.8, 6);
    expect(Array.from(result.issues)).toEqual([0, 0, 0, 1, 0, 0, 0]);
    // Labelled 0: samples 0–2 are confidently 0, sample 3 confidently 1. Labelled 1: samples 4 and 6 reach
    // t_1; sample 5 (0.3, 0.7) reaches neither threshold and is not counted.
    expect(Array.from(result.confidentJoint)).toEqual([3, 1, 0, 2]);
  });

  it('flags nothing when every sample is confidently its own label', () => {
    const labels = Int32Array.from([0, 1, 2, 0, 1, 2]);
    const probs = new Float32Array(18);
    labels.forEach((y, i) => {
      probs[i * 3 + y] = 1;
    });
    expect(confidentLearning(labels, probs, 3).issues.every((v) => v === 0)).toBe(true);
  });
});
