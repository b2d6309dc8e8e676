import { beforeAll, describe, expect, it } from 'vitest';
import { flipLabelsUniform } from '../../../src/attacks/label-flip.js';
import { loadDigits } from '../../../src/data/bundled.js';
import type { Dataset } from '../../../src/data/dataset.js';
import { detectLabelIssues, outOfFoldProbabilities } from '../../../src/defenses/detect/index.js';
import { detectionMetrics, maskFromIndices } from '../../../src/eval/detection.js';
import { severityRank } from '../../../src/report/types.js';

let digits: Dataset;
beforeAll(() => {
  digits = loadDigits();
});

describe('detectLabelIssues on digits with planted flips', () => {
  // Seeds 0–2 tuned the rule; 3–5 check it.
  for (const seed of [3, 4, 5]) {
    it(`finds 10% uniform flips with F1 ≥ 0.93 (seed ${seed})`, () => {
      const attack = flipLabelsUniform(digits, { rate: 0.1, seed });
      const { probs, embeddings } = outOfFoldProbabilities(attack.output, { seed: seed + 100 });
      const detection = detectLabelIssues(attack.output.y, probs, embeddings);
      const truth = maskFromIndices(attack.poisoned, attack.output.y.length);
      expect(detectionMetrics(detection.flagged, truth).f1).toBeGreaterThanOrEqual(0.93);
      // The suggested label of a correctly flagged flip is usually the original one.
      const original = new Map(attack.truth.changed.map((c) => [c.index, c.originalLabel]));
      const suggestions = detection.findings.filter(
        (f) => original.has(Number(f.target.id)) && f.severity !== 'low',
      );
      const right = suggestions.filter(
        (f) => f.evidence?.suggestedLabel === original.get(Number(f.target.id)),
      );
      expect(right.length / suggestions.length).toBeGreaterThan(0.9);
    });
  }

  it('flags few clean samples at medium or above, with checkable messages', () => {
    const { probs, embeddings } = outOfFoldProbabilities(digits, { seed: 7 });
    const detection = detectLabelIssues(digits.y, probs, embeddings);
    const serious = detection.findings.filter((f) => severityRank(f.severity) >= severityRank('medium'));
    expect(serious.length / digits.y.length).toBeLessThanOrEqual(0.02);
    for (const f of detection.findings) {
      expect(f.ruleId).toBe('label-issue/confident-learning');
      expect(f.target.kind).toBe('sample');
      expect(f.message).toMatch(
        /^labelled \d; the model is \d+% sure it is \d and \d+% of its nearest neighbours/,
      );
    }
  });

  it('rejects probabilities of the wrong shape with an InputError', () => {
    expect(() =>
      detectLabelIssues(Int32Array.from([0, 1, 0]), { shape: [2, 2], data: new Float32Array(4) }, undefined),
    ).toThrow(/probabilities must be \[3, classes\]/);
  });
});
