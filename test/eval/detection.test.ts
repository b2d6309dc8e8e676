import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { auroc, detectionMetrics, maskFromIndices } from '../../src/eval/detection.js';

/** AUROC by definition: over all positive–negative pairs, 1 for a win, ½ for a tie. */
function bruteForceAuroc(scores: number[], truth: number[]): number {
  let total = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (!truth[i]) return;
    scores.forEach((q, j) => {
      if (truth[j]) return;
      pairs++;
      total += p > q ? 1 : p === q ? 0.5 : 0;
    });
  });
  return total / pairs;
}

describe('detection metrics', () => {
  it('precision, recall, F1 and the confusion counts of a flagging', () => {
    const truth = maskFromIndices([0, 1, 2, 3], 10);
    const flagged = maskFromIndices([2, 3, 4], 10);
    const m = detectionMetrics(flagged, truth);
    expect(m).toMatchObject({
      truePositives: 2,
      falsePositives: 1,
      falseNegatives: 2,
      trueNegatives: 5,
      support: 4,
    });
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBe(0.5);
    expect(m.f1).toBeCloseTo(4 / 7, 12);
  });

  it('a detector that flags nothing has recall 0, F1 0 and undefined precision', () => {
    const m = detectionMetrics(new Uint8Array(5), maskFromIndices([1], 5));
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.precision).toBeNaN();
  });

  it('maskFromIndices rejects indices outside the set', () => {
    expect(() => maskFromIndices([5], 5)).toThrow(/index 5 is outside/);
  });

  it('AUROC: perfect, inverted and tied rankings', () => {
    expect(auroc([0.9, 0.8, 0.1, 0.2], [1, 1, 0, 0])).toBe(1);
    expect(auroc([0.1, 0.2, 0.9, 0.8], [1, 1, 0, 0])).toBe(0);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    expect(auroc([1, 1], [1, 1])).toBeNaN();
  });

  for (const seed of [1, 2, 3, 4]) {
    it(`AUROC equals the pairwise definition with many ties (seed ${seed})`, () => {
      const rng = new Rng(seed);
      const scores = Array.from({ length: 300 }, () => rng.int(12) / 4);
      const truth = Array.from({ length: 300 }, () => (rng.float() < 0.3 ? 1 : 0));
      expect(auroc(scores, truth)).toBeCloseTo(bruteForceAuroc(scores, truth), 12);
    });
  }

  it('rejects NaN scores, naming the row', () => {
    expect(() => auroc([0.1, Number.NaN], [1, 0])).toThrow(/row 2/);
  });
});
