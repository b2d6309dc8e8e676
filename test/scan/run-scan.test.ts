import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { injectRandomNoise } from '../../src/attacks/injection.js';
import { flipLabelsUniform } from '../../src/attacks/label-flip.js';
import { bundledPath, loadDigits } from '../../src/data/bundled.js';
import { detectionMetrics, maskFromIndices } from '../../src/eval/detection.js';
import { type Finding, severityRank } from '../../src/report/types.js';
import { fixDataset } from '../../src/scan/fix.js';
import { loadScanInputs } from '../../src/scan/load.js';
import { runScan } from '../../src/scan/run-scan.js';
import { decideVerdict, exitCodeFor } from '../../src/scan/verdict.js';

const sample = (id: number, severity: Finding['severity'], extra: Partial<Finding> = {}): Finding => ({
  ruleId: 'test/rule',
  severity,
  score: 1,
  message: 'm',
  target: { kind: 'sample', id: String(id) },
  ...extra,
});

describe('verdict', () => {
  it('fails at high (or --fail-on), warns on data-level medium or many flagged samples, else passes', () => {
    expect(decideVerdict([sample(0, 'high')], 100).verdict).toBe('fail');
    expect(decideVerdict([sample(0, 'high')], 100, { failOn: 'critical' }).verdict).toBe('pass');
    expect(decideVerdict([sample(0, 'low')], 100, { failOn: 'low' }).verdict).toBe('fail');
    expect(decideVerdict([sample(0, 'medium')], 100).verdict).toBe('pass');
    expect(
      decideVerdict(
        [0, 1, 2].map((i) => sample(i, 'medium')),
        100,
      ).verdict,
    ).toBe('warn');
    const classFinding = { ...sample(0, 'medium'), target: { kind: 'class' as const, id: '3' } };
    expect(decideVerdict([classFinding], 100).verdict).toBe('warn');
    expect(decideVerdict([], 100).verdict).toBe('pass');
  });

  it('lists isolated high sample findings without failing, and fails on a pattern of them', () => {
    const isolated = [0, 1, 2].map((i) => sample(i, 'high'));
    expect(decideVerdict(isolated, 1000).verdict).toBe('pass');
    expect(decideVerdict(isolated, 1000, { isolatedRate: 0.002 }).verdict).toBe('fail');
    const many = Array.from({ length: 60 }, (_, i) => sample(i, 'medium'));
    expect(decideVerdict(many, 1000).verdict).toBe('fail');
    expect(decideVerdict(many.slice(0, 30), 1000).verdict).toBe('warn');
    const classFinding = { ...sample(0, 'high'), target: { kind: 'class' as const, id: '3' } };
    expect(decideVerdict([classFinding], 1000).verdict).toBe('fail');
  });

  it('exits 1 only when --fail-on is given and reached', () => {
    expect(exitCodeFor([sample(0, 'critical')], undefined)).toBe(0);
    expect(exitCodeFor([sample(0, 'high')], 'high')).toBe(1);
    expect(exitCodeFor([sample(0, 'medium')], 'high')).toBe(0);
  });
});

describe('runScan', () => {
  it('passes the clean digits with at most 2 % of samples flagged at medium or above (several seeds)', () => {
    const digits = loadDigits();
    for (const seed of [0, 1, 2]) {
      const report = runScan(digits, { seed });
      const flagged = new Set(
        report.findings
          .filter((f) => f.target.kind === 'sample' && severityRank(f.severity) >= severityRank('medium'))
          .map((f) => f.target.id),
      );
      expect(flagged.size / digits.y.length).toBeLessThanOrEqual(0.02);
      expect(report.verdict).toBe('pass');
    }
  });

  it('fails 10 % uniform label flips (several seeds)', () => {
    for (const seed of [0, 1]) {
      const report = runScan(flipLabelsUniform(loadDigits(), { rate: 0.1, seed }).output, {
        seed,
        detectors: ['label-issues'],
      });
      expect(report.verdict).toBe('fail');
    }
  });

  it('finds injected random noise and writes a complete, ranked report (several seeds)', () => {
    const digits = loadDigits();
    for (const seed of [1, 2]) {
      const attack = injectRandomNoise(digits, { rate: 0.05, seed });
      const report = runScan(attack.output, { seed, detectors: ['validation', 'outliers'] });
      const flagged = new Uint8Array(attack.output.y.length);
      for (const f of report.findings) {
        if (f.ruleId.startsWith('outlier/') && severityRank(f.severity) >= severityRank('medium'))
          flagged[Number(f.target.id)] = 1;
      }
      const metrics = detectionMetrics(flagged, maskFromIndices(attack.poisoned, flagged.length));
      expect(metrics.recall).toBeGreaterThanOrEqual(0.95);
      expect(metrics.precision).toBeGreaterThanOrEqual(0.9);
      for (let k = 1; k < report.findings.length; k++) {
        const [a, b] = [report.findings[k - 1], report.findings[k]];
        expect(
          severityRank(a.severity) > severityRank(b.severity) ||
            (a.severity === b.severity && a.score >= b.score),
        ).toBe(true);
      }
      expect(report).toMatchObject({ schemaVersion: 1, tool: { name: 'antidote' }, run: { seed } });
      expect(report.metrics.samples).toBe(attack.output.y.length);
      expect(report.metrics['seconds.outlier']).toBeGreaterThan(0);
    }
  });

  it('finds the demo set’s backdoor and flipped labels with their lines, and records the input’s SHA-256', () => {
    const truth = JSON.parse(readFileSync(bundledPath('demo/digits-poisoned.truth.json'), 'utf8')) as {
      backdoor: { samples: number[] };
      labelFlips: { samples: number[] };
      poisoned: number[];
    };
    const { dataset } = loadScanInputs(bundledPath('demo/digits-poisoned.csv'));
    const report = runScan(dataset, { seed: 0 });
    const flagged = new Uint8Array(dataset.y.length);
    for (const f of report.findings) {
      if (f.target.kind !== 'sample' || severityRank(f.severity) < severityRank('medium')) continue;
      flagged[Number(f.target.id)] = 1;
      expect(f.target.line).toBe(Number(f.target.id) + 2);
    }
    const recall = (indices: number[]) => indices.filter((i) => flagged[i]).length / indices.length;
    expect(recall(truth.backdoor.samples)).toBeGreaterThanOrEqual(0.95);
    expect(recall(truth.labelFlips.samples)).toBeGreaterThanOrEqual(0.9);
    expect(
      detectionMetrics(flagged, maskFromIndices(truth.poisoned, flagged.length)).precision,
    ).toBeGreaterThanOrEqual(0.85);
    expect(report.subjects[0]).toMatchObject({ role: 'data', sha256: dataset.source?.sha256 });
    expect(report.verdict).toBe('fail');
    const sections = report.sections as { thumbnails: unknown[]; histograms: unknown[] };
    expect(sections.thumbnails.length).toBeGreaterThan(0);
    expect(sections.histograms.length).toBe(4);
  });
});

describe('fixDataset', () => {
  const digits = loadDigits();
  const report = runScan(digits, { detectors: ['validation'] });

  it('removes samples with findings at the chosen severity and relabels suggested label issues', () => {
    const findings: Finding[] = [
      sample(3, 'high'),
      sample(5, 'low'),
      sample(8, 'medium', { ruleId: 'label-issue/confident-learning', evidence: { suggestedLabel: 7 } }),
      sample(9, 'medium', { ruleId: 'label-issue/confident-learning', evidence: { suggestedLabel: 2 } }),
      sample(9, 'high', { ruleId: 'backdoor/activation-clustering' }),
    ];
    const fake = { ...report, findings };
    const removed = fixDataset(digits, fake);
    expect(removed.removed).toEqual([3, 8, 9]);
    expect(removed.dataset.y.length).toBe(digits.y.length - 3);
    expect(removed.dataset.source).toBeUndefined();
    const relabelled = fixDataset(digits, fake, { relabel: true });
    expect(relabelled.removed).toEqual([3, 9]);
    expect(relabelled.relabelled).toEqual([{ index: 8, from: digits.y[8], to: 7 }]);
    expect(relabelled.dataset.y[7]).toBe(7); // sample 8 is the 8th kept row once sample 3 is gone
    expect(fixDataset(digits, fake, { minSeverity: 'low' }).removed).toEqual([3, 5, 8, 9]);
  });
});
