import { beforeAll, describe, expect, it } from 'vitest';
import { injectRandomNoise } from '../../../src/attacks/injection.js';
import { loadDigits } from '../../../src/data/bundled.js';
import type { Dataset } from '../../../src/data/dataset.js';
import { fitStandardization, standardize } from '../../../src/data/preprocess.js';
import { detectOutliers, isolationForestScores } from '../../../src/defenses/detect/index.js';
import { Rng } from '../../../src/engine/rng.js';
import { detectionMetrics, maskFromIndices } from '../../../src/eval/detection.js';

let digits: Dataset;
beforeAll(() => {
  digits = loadDigits();
});

const standardized = (d: Dataset) => standardize(d, fitStandardization(d)).x;

describe('detectOutliers', () => {
  for (const seed of [0, 1, 2]) {
    it(`finds 5% injected random points: recall ≥ 0.95 at precision ≥ 0.90 (seed ${seed})`, () => {
      const attack = injectRandomNoise(digits, { rate: 0.05, seed });
      const detection = detectOutliers(standardized(attack.output), attack.output.y, { seed });
      const m = detectionMetrics(detection.flagged, maskFromIndices(attack.poisoned, attack.output.y.length));
      expect(m.recall).toBeGreaterThanOrEqual(0.95);
      expect(m.precision).toBeGreaterThanOrEqual(0.9);
    });
  }

  it('flags at most 2% of clean digits', () => {
    const detection = detectOutliers(standardized(digits), digits.y, { seed: 4 });
    expect(detection.findings.length / digits.y.length).toBeLessThanOrEqual(0.02);
  });
});

describe('isolationForestScores', () => {
  it('scores a far point above every point of a Gaussian blob', () => {
    const rng = new Rng(5);
    const n = 300;
    const x = Float32Array.from({ length: n * 2 }, () => rng.normal());
    x[0] = 9;
    x[1] = -9;
    const s = isolationForestScores(x, n, 2, { seed: 1 });
    for (let i = 1; i < n; i++) expect(s[0]).toBeGreaterThan(s[i]);
  });
});
