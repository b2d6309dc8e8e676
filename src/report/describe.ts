/** Wording shared by the report renderers: where a finding points, and counts by severity. */
import { type FindingTarget, type Report, SEVERITIES, type Severity } from './types.js';

/** "sample 12 (line 14)", "class 0", "feature pixel_7_7", "source alice", "dataset labels". */
export function describeTarget(target: FindingTarget): string {
  const base = target.kind === 'file' ? target.id : `${target.kind} ${target.id}`;
  return target.kind === 'sample' && target.line !== undefined ? `${base} (line ${target.line})` : base;
}

/** Findings per severity, most severe first, only those present. */
export function severityCounts(report: Report): { severity: Severity; count: number }[] {
  return [...SEVERITIES]
    .reverse()
    .map((severity) => ({ severity, count: report.findings.filter((f) => f.severity === severity).length }))
    .filter((c) => c.count > 0);
}

/** Findings per rule id, in order of first appearance (the findings are ranked). */
export function ruleCounts(report: Report): { ruleId: string; count: number; worst: Severity }[] {
  const rules = new Map<string, { count: number; worst: Severity }>();
  for (const f of report.findings) {
    const entry = rules.get(f.ruleId);
    if (entry === undefined) rules.set(f.ruleId, { count: 1, worst: f.severity });
    else entry.count++;
  }
  return [...rules].map(([ruleId, entry]) => ({ ruleId, ...entry }));
}

export function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(2)} s` : `${seconds.toFixed(1)} s`;
}
