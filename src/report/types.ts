/** The one report every analysis produces; JSON is the source of truth, other formats are renderings of it. */

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export interface FindingTarget {
  kind: 'sample' | 'tensor' | 'client' | 'file' | 'class' | 'feature' | 'source' | 'dataset';
  /** For a sample: its 0-based index as a string. */
  id: string;
  uri?: string;
  /** 1-based line in the source file (CSV/JSONL samples). */
  line?: number;
}

export interface Finding {
  /** Stable rule id, e.g. `label-issue/confident-learning`, `backdoor/spectral-signature`. */
  ruleId: string;
  severity: Severity;
  /** Higher = more suspicious; comparable within one rule. */
  score: number;
  /** A sentence a person can check ("labelled 3, the model is 97% sure it is 8"). */
  message: string;
  target: FindingTarget;
  evidence?: Record<string, unknown>;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'antidote'; version: string };
  run: { id: string; startedAt: string; seed: number; command: string; config: Record<string, unknown> };
  subjects: { name: string; sha256: string; role?: string }[];
  findings: Finding[];
  metrics: Record<string, number>;
  verdict: 'pass' | 'warn' | 'fail';
  /** Free-form sections renderers may show (per-detector summaries, timings, plots' data). */
  sections?: Record<string, unknown>;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
