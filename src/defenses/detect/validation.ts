/**
 * Data validation, the first detector of a scan: missing and non-finite values, exact and near duplicates
 * (above all those that disagree on the label), and — given a trusted reference version of the dataset —
 * out-of-range values, class-balance changes and per-feature and label drift. Pure function of the data.
 */
import type { Dataset } from '../../data/dataset.js';
import { type Finding, severityRank } from '../../report/types.js';
import type { Detection } from './types.js';
import { SEVERITY_SCORE } from './validation-common.js';
import { type DriftOptions, featureDriftFindings, labelDriftFindings } from './validation-drift.js';
import { type DuplicateOptions, duplicateFindings } from './validation-duplicates.js';
import { missingValueFindings } from './validation-missing.js';
import { alignReference, outOfRangeFindings, type RangeOptions } from './validation-reference.js';

export interface ValidationOptions {
  /** A trusted version of the dataset with the same columns; enables the range, balance and drift checks. */
  reference?: Dataset;
  duplicates?: DuplicateOptions;
  range?: RangeOptions;
  drift?: DriftOptions;
}

export function validateDataset(dataset: Dataset, opts: ValidationOptions = {}): Detection {
  const seconds: Record<string, number> = {};
  const timed = (name: string, check: () => Finding[]): Finding[] => {
    const started = performance.now();
    const found = check();
    seconds[name] = (performance.now() - started) / 1000;
    return found;
  };
  const findings = [
    ...timed('missing', () => missingValueFindings(dataset)),
    ...timed('duplicates', () => duplicateFindings(dataset, opts.duplicates)),
  ];
  const { reference } = opts;
  if (reference !== undefined) {
    const aligned = alignReference(dataset, reference);
    findings.push(
      ...timed('range', () => outOfRangeFindings(dataset, aligned, opts.range)),
      ...timed('featureDrift', () => featureDriftFindings(dataset, aligned, opts.drift)),
      ...timed('labelDrift', () => labelDriftFindings(dataset, aligned, opts.drift)),
    );
  }
  findings.sort(byRank);

  const n = dataset.y.length;
  const scores = new Float32Array(n);
  const flagged = new Uint8Array(n);
  for (const finding of findings) {
    if (finding.target.kind !== 'sample') continue;
    const i = Number(finding.target.id);
    scores[i] = Math.max(scores[i], SEVERITY_SCORE[finding.severity]);
    if (severityRank(finding.severity) >= severityRank('medium')) flagged[i] = 1;
  }
  const byRule: Record<string, number> = {};
  for (const finding of findings) byRule[finding.ruleId] = (byRule[finding.ruleId] ?? 0) + 1;
  return {
    detector: 'validation',
    scores,
    flagged,
    findings,
    summary: { reference: reference !== undefined, findingsByRule: byRule, seconds },
  };
}

/** Findings ranked: higher severity first, then higher score. */
export function byRank(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.score - a.score;
}
