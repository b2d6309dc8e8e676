import { describe, expect, it } from 'vitest';
import { loadFashionMnistSubset } from '../../src/data/bundled.js';
import { type SimulationOptions, simulateFederation } from '../../src/federated/simulate.js';

const fashion = loadFashionMnistSubset();

/** The matrix setting: 50 clients, 20% malicious, 10 rounds, the recommended rule. */
function matrixSetting(
  seed: number,
  attack: SimulationOptions['attack'],
  partition: 'iid' | 'dirichlet',
): SimulationOptions {
  return {
    ...fashion,
    clients: 50,
    malicious: 0.2,
    attack,
    rule: 'screened-mean',
    rounds: 10,
    partition,
    alpha: 0.5,
    seed,
  };
}

const dirichletBackdoor = (seed: number) => matrixSetting(seed, 'backdoor', 'dirichlet');

const meanAsr = (r: ReturnType<typeof simulateFederation>) =>
  r.rounds.slice(-3).reduce((s, x) => s + (x.asr ?? 0), 0) / 3;

describe('federated simulation on the Fashion-MNIST subset', () => {
  // The quarantine goal: ≥ 90% of the malicious clients quarantined within 10 rounds for sign flip,
  // scaling and backdoor clients, no honest client (the Dirichlet backdoor case is below).
  const cases = [
    ...(['sign-flip', 'scaling', 'backdoor'] as const).map((attack) => [attack, 'iid'] as const),
    ...(['sign-flip', 'scaling'] as const).map((attack) => [attack, 'dirichlet'] as const),
  ];
  for (const [attack, partition] of cases) {
    it(`screened-mean quarantines ${attack} clients (${partition}) within 10 rounds, no honest one`, () => {
      for (const seed of [1, 2]) {
        const result = simulateFederation(matrixSetting(seed, attack, partition));
        expect(result.detection.truePositiveRate).toBeGreaterThanOrEqual(0.9);
        expect(result.detection.falsePositiveRate).toBe(0);
      }
    });
  }

  for (const seed of [1, 2, 3]) {
    it(`the clean input space finds the backdoor clients that whole updates hide (seed ${seed})`, () => {
      const defended = simulateFederation(dirichletBackdoor(seed));
      expect(defended.config.inputSpace?.rank).toBeGreaterThan(10);
      expect(meanAsr(defended)).toBeLessThanOrEqual(0.05);
      expect(defended.detection).toEqual({ truePositiveRate: 1, falsePositiveRate: 0 });
      // The same rule without the input space: the backdoor takes hold and nobody is caught.
      const blind = simulateFederation({ ...dirichletBackdoor(seed), inputSpace: false });
      expect(blind.config.inputSpace).toBeNull();
      expect(meanAsr(blind)).toBeGreaterThan(0.5);
      expect(blind.detection.truePositiveRate).toBeLessThan(0.5);
    });
  }
});
