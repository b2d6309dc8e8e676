import { describe, expect, it } from 'vitest';
import { loadDigits } from '../../src/data/bundled.js';
import { stratifiedSplit, subset } from '../../src/data/split.js';
import {
  MATRIX_GOAL,
  matrixMarkdown,
  recommendedSummary,
  runFederatedMatrix,
} from '../../src/federated/matrix.js';
import { type SimulationResult, simulateFederation } from '../../src/federated/simulate.js';

const digits = loadDigits();

function base(seed: number) {
  const { train, test } = stratifiedSplit(digits.y, 0.25, seed);
  return {
    train: subset(digits, train),
    test: subset(digits, test),
    clients: 20,
    malicious: 0.2,
    rounds: 5,
    seed,
  };
}

function lastRoundsAccuracy(result: SimulationResult): number {
  const last = result.rounds.slice(-MATRIX_GOAL.finalRounds);
  return last.reduce((s, r) => s + r.accuracy, 0) / last.length;
}

describe('runFederatedMatrix', () => {
  for (const seed of [1, 2]) {
    it(`judges against plain FedAvg, keeps FedAvg's column plain and rates the default (seed ${seed})`, () => {
      const matrix = runFederatedMatrix(base(seed), ['scaling', 'backdoor'], ['fedavg', 'screened-mean']);
      const plain = simulateFederation({ ...base(seed), attack: 'none', rule: 'fedavg', quarantine: false });
      expect(matrix.baseline).toBeCloseTo(lastRoundsAccuracy(plain), 12);
      expect(matrix.config).not.toHaveProperty('quarantine');

      const fedavgCells = matrix.cells.filter((c) => c.rule === 'fedavg');
      for (const cell of fedavgCells) expect([cell.detected, cell.falseQuarantine]).toEqual([0, 0]);
      const scaled = simulateFederation({
        ...base(seed),
        attack: 'scaling',
        rule: 'fedavg',
        quarantine: false,
      });
      expect(fedavgCells[0].accuracy).toBeCloseTo(lastRoundsAccuracy(scaled), 12);
      expect(fedavgCells[0].lastRound).toEqual(scaled.final);

      for (const cell of matrix.cells) {
        expect(cell.ok).toBe(cell.problems.length === 0);
        expect(cell.ok).toBe(
          cell.accuracy >= matrix.baseline - MATRIX_GOAL.maxAccuracyDrop &&
            (cell.asr ?? 0) <= MATRIX_GOAL.maxAsr,
        );
      }
      const column = matrix.cells.filter((c) => c.rule === 'screened-mean');
      expect(column.find((c) => c.attack === 'scaling')?.detected).toBe(1);
      expect(matrix.recommended).toEqual({
        rule: 'screened-mean',
        inMatrix: true,
        meetsGoal: column.every((c) => c.ok),
        missed: column.filter((c) => !c.ok).map((c) => ({ attack: c.attack, problems: c.problems })),
      });
      expect(matrixMarkdown(matrix)).toContain(recommendedSummary(matrix.recommended));
    });
  }
});

describe('recommendedSummary', () => {
  it('says whether the default meets the goal, and where it does not', () => {
    const rule = 'screened-mean';
    expect(recommendedSummary({ rule, inMatrix: false, meetsGoal: false, missed: [] })).toBe(
      'Recommended default: screened-mean (not in this matrix).',
    );
    expect(recommendedSummary({ rule, inMatrix: true, meetsGoal: true, missed: [] })).toBe(
      'Recommended default: screened-mean, meets the goal in every row.',
    );
    expect(
      recommendedSummary({
        rule,
        inMatrix: true,
        meetsGoal: false,
        missed: [{ attack: 'backdoor', problems: ['backdoor ASR 80.0% > 5.0%'] }],
      }),
    ).toBe(
      'Recommended default: screened-mean, misses the goal against backdoor (backdoor ASR 80.0% > 5.0%).',
    );
  });
});
