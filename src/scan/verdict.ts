/**
 * The scan's verdict and exit code. Every real dataset holds a few ambiguous or mislabelled samples (the
 * clean UCI digits: about 0.3 % of samples draw a high label-issue or outlier finding, e.g. samples 5 and
 * 1553), so isolated per-sample findings are listed but do not decide the verdict; a pattern does — a
 * finding about the dataset, a class, a feature or a source, or more flagged samples than clean data shows.
 *
 * - fail: a dataset-, class-, feature- or source-level finding at or above `failOn` (default high); or more
 *   than `isolatedRate` (default 0.5 %) of the samples with a finding at or above `failOn`; or more than
 *   `failRate` (default 5 %) of the samples flagged at medium or above;
 * - warn: a dataset-, class-, feature- or source-level finding at medium or above, or more than `warnRate`
 *   (default 2 %) of the samples flagged at medium or above;
 * - pass: otherwise (the rule for clean data: at most 2 % of samples flagged at medium or above).
 *
 * The exit code is 1 only when `failOn` was given and a finding reaches it (the CLI's --fail-on; without it
 * a scan always exits 0, so it can report without gating).
 */
import { type Finding, type Severity, severityRank } from '../report/types.js';

export interface VerdictOptions {
  failOn?: Severity;
  warnRate?: number;
  failRate?: number;
  isolatedRate?: number;
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
  const { failOn = 'high', warnRate = 0.02, failRate = 0.05, isolatedRate = 0.005 } = opts;
  const atLeast = (severity: Severity) =>
    findings.filter((f) => severityRank(f.severity) >= severityRank(severity));
  const failing = atLeast(failOn);
  const failingDataLevel = failing.filter((f) => f.target.kind !== 'sample');
  if (failingDataLevel.length > 0) {
    return {
      verdict: 'fail',
      reason: `${failingDataLevel.length} dataset-level finding(s) at severity ${failOn} or above`,
    };
  }
  const share = (count: number) => (samples > 0 ? count / samples : 0);
  const percentOf = (rate: number) => `${(100 * rate).toFixed(1)} %`;
  const failingSamples = distinctSamples(failing);
  if (failingSamples > 0 && share(failingSamples) > isolatedRate) {
    return {
      verdict: 'fail',
      reason: `${failingSamples} samples (${percentOf(share(failingSamples))}) at severity ${failOn} or above, more than the ${percentOf(isolatedRate)} isolated cases clean data shows`,
    };
  }
  const medium = atLeast('medium');
  const flagged = distinctSamples(medium);
  const flaggedText = `${flagged} samples (${percentOf(share(flagged))}) flagged at medium or above`;
  if (share(flagged) > failRate) {
    return { verdict: 'fail', reason: `${flaggedText}, more than ${percentOf(failRate)}` };
  }
  const dataLevel = medium.filter((f) => f.target.kind !== 'sample');
  if (dataLevel.length > 0) {
    return {
      verdict: 'warn',
      reason: `${dataLevel.length} dataset-level finding(s) at severity medium or above`,
    };
  }
  if (share(flagged) > warnRate) {
    return { verdict: 'warn', reason: `${flaggedText}, more than ${percentOf(warnRate)}` };
  }
  return {
    verdict: 'pass',
    reason:
      flagged > 0
        ? `${flaggedText}, within the ${percentOf(warnRate)} expected of clean data`
        : 'no finding at severity medium or above',
  };
}

function distinctSamples(findings: readonly Finding[]): number {
  return new Set(findings.filter((f) => f.target.kind === 'sample').map((f) => f.target.id)).size;
}

/** 1 when `failOn` is set and a finding reaches it, else 0. */
export function exitCodeFor(findings: readonly Finding[], failOn: Severity | undefined): number {
  if (failOn === undefined) return 0;
  return findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
}
