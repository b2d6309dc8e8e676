/**
 * Missing and non-finite values. The scan loads tables with `missing: 'keep'`, so a missing cell arrives as
 * NaN and becomes a finding here instead of a load error; ±Inf can only come from binary formats (NPZ,
 * safetensors), as the table loaders reject it. Rows the loader skipped for a missing label are reported too.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Finding } from '../../report/types.js';
import { featureName, rowLength, sampleName, sampleTarget } from './validation-common.js';

/** How many feature names a message lists before "and N more". */
const LISTED = 5;

export function missingValueFindings(dataset: Dataset): Finding[] {
  const n = dataset.y.length;
  const d = rowLength(dataset);
  const x = dataset.x.data;
  const findings: Finding[] = [];
  const missing: number[] = [];
  const infinite: number[] = [];
  for (let i = 0; i < n; i++) {
    missing.length = 0;
    infinite.length = 0;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (Number.isNaN(v)) missing.push(j);
      else if (!Number.isFinite(v)) infinite.push(j);
    }
    if (missing.length > 0) {
      findings.push({
        ruleId: 'validation/missing-value',
        severity: 'medium',
        score: missing.length / d,
        message: `${sampleName(dataset, i)} has ${missing.length} missing value(s): ${listFeatures(dataset, missing)}`,
        target: sampleTarget(dataset, i),
        evidence: { features: missing.map((j) => featureName(dataset, j)) },
      });
    }
    if (infinite.length > 0) {
      findings.push({
        ruleId: 'validation/non-finite',
        severity: 'high',
        score: infinite.length / d,
        message: `${sampleName(dataset, i)} has ${infinite.length} infinite value(s): ${listFeatures(dataset, infinite)}`,
        target: sampleTarget(dataset, i),
        evidence: { features: infinite.map((j) => featureName(dataset, j)) },
      });
    }
  }
  for (const line of dataset.droppedLines ?? []) {
    findings.push({
      ruleId: 'validation/missing-label',
      severity: 'medium',
      score: 1,
      message: `line ${line} has no label and was left out of the scan`,
      target: { kind: 'file', id: `line ${line}`, uri: dataset.source?.uri, line },
    });
  }
  return findings;
}

function listFeatures(dataset: Dataset, features: number[]): string {
  const named = features.slice(0, LISTED).map((j) => featureName(dataset, j));
  return features.length > LISTED
    ? `${named.join(', ')} and ${features.length - LISTED} more`
    : named.join(', ');
}
