/** Building blocks shared by the detectors' findings: sample targets, ranking and percentage wording. */
import type { Finding, Severity } from '../../report/types.js';

export function sampleFinding(
  ruleId: string,
  index: number,
  severity: Severity,
  score: number,
  message: string,
  evidence: Record<string, unknown>,
): Finding {
  return { ruleId, severity, score, message, target: { kind: 'sample', id: String(index) }, evidence };
}

/** Most suspicious first; ties by sample index so the order is reproducible. */
export function rankFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => b.score - a.score || Number(a.target.id) - Number(b.target.id));
}

export function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

/** Per-row argmax of an n × k row-major matrix. */
export function argmaxRow(values: ArrayLike<number>, row: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (values[row * k + j] > values[row * k + best]) best = j;
  return best;
}
