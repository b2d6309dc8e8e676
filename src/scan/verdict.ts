/**
 * The scan's verdict and exit code.
 *
 * - fail: a finding at or above `failOn` (default high);
 * - warn: a dataset-, class-, feature- or source-level finding at medium or above, or more than `warnRate`
 *   (default 2 %) of the samples flagged at medium or above — every real dataset has a few ambiguous
 *   samples, so a handful of medium per-sample findings is listed but does not by itself make a warning;
 * - pass: otherwise.
 *
 * The exit code is 1 only when `failOn` was given and a finding reaches it (the CLI's --fail-on; without it
 * a scan always exits 0, so it can report without gating).
 */
import { type Finding, type Severity, severityRank } from '../report/types.js';

export interface VerdictOptions {
  failOn?: Severity;
  warnRate?: number;
}

export interface Verdict {
  verdict: 'pass' | 'warn' | 'fail';
  reason: string;
}

export function decideVerdict(
  findings: readonly Finding[],
  samples: number,
  opts: VerdictOptions = {},
): Verdict {
  const failAt = opts.failOn ?? 'high';
  const warnRate = opts.warnRate ?? 0.02;
  const failing = findings.filter((f) => severityRank(f.severity) >= severityRank(failAt));
  if (failing.length > 0) {
    return { verdict: 'fail', reason: `${failing.length} finding(s) at severity ${failAt} or above` };
  }
  const medium = findings.filter((f) => severityRank(f.severity) >= severityRank('medium'));
  const dataLevel = medium.filter((f) => f.target.kind !== 'sample');
  if (dataLevel.length > 0) {
    return {
      verdict: 'warn',
      reason: `${dataLevel.length} dataset-level finding(s) at severity medium or above`,
    };
  }
  const flagged = new Set(medium.map((f) => f.target.id)).size;
  if (samples > 0 && flagged / samples > warnRate) {
    return {
      verdict: 'warn',
      reason: `${flagged} samples (${((100 * flagged) / samples).toFixed(1)} %) flagged at medium or above, more than ${(100 * warnRate).toFixed(1)} %`,
    };
  }
  return {
    verdict: 'pass',
    reason:
      flagged > 0
        ? `${flagged} sample(s) flagged at medium, within the ${(100 * warnRate).toFixed(1)} % expected of clean data`
        : 'no finding at severity medium or above',
  };
}

/** 1 when `failOn` is set and a finding reaches it, else 0. */
export function exitCodeFor(findings: readonly Finding[], failOn: Severity | undefined): number {
  if (failOn === undefined) return 0;
  return findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
}
