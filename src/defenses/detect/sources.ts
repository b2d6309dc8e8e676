/**
 * Findings aggregated per source (annotator, contributor, upload batch): a source whose samples are flagged
 * far more often than the rest's is reported, in the spirit of ART's provenance defence (Baracaldo et al.
 * 2018, "Detecting poisoning attacks on machine learning in IoT environments"), which also judges data by
 * where it came from. Each source is tested against the pooled rate of all other sources with a one-sided
 * binomial test, Benjamini–Hochberg corrected over the sources.
 */
import type { Finding } from '../../report/types.js';
import { benjaminiHochberg, binomialUpperTail } from './validation-statistics.js';

export interface SourceOptions {
  /** Sources with fewer samples are not tested (default 10). */
  minSamples?: number;
  /** False discovery rate over the sources (default 0.001). */
  alpha?: number;
  /** A source must be flagged at least this many times as often as the rest (default 2). */
  minRatio?: number;
  /** The data file, for the findings' targets. */
  uri?: string;
}

export interface SourceStatistics {
  source: string;
  samples: number;
  flagged: number;
  rate: number;
  /** Flag rate of all other sources together. */
  restRate: number;
  pValue: number;
  adjustedPValue: number;
  suspicious: boolean;
}

export interface SourceReport {
  sources: SourceStatistics[];
  findings: Finding[];
}

/** `sources[i]` names sample i's source; `flagged[i]` is nonzero where any detector flagged it. */
export function aggregateBySource(
  sources: readonly string[],
  flagged: ArrayLike<number>,
  opts: SourceOptions = {},
): SourceReport {
  const { minSamples = 10, alpha = 0.001, minRatio = 2 } = opts;
  const counts = new Map<string, { samples: number; flagged: number }>();
  let totalFlagged = 0;
  sources.forEach((source, i) => {
    const entry = counts.get(source) ?? { samples: 0, flagged: 0 };
    entry.samples++;
    if (flagged[i]) {
      entry.flagged++;
      totalFlagged++;
    }
    counts.set(source, entry);
  });
  const total = sources.length;
  const rows = [...counts].map(([source, { samples, flagged: k }]) => {
    const restSamples = total - samples;
    const restRate = restSamples > 0 ? (totalFlagged - k) / restSamples : 0;
    // A rest rate of 0 would make any flag infinitely unlikely; half a flag keeps the test finite.
    const baseline = restSamples > 0 ? Math.max(restRate, 0.5 / restSamples) : 1;
    const tested = samples >= minSamples && restSamples > 0;
    return {
      source,
      samples,
      flagged: k,
      rate: k / samples,
      restRate,
      pValue: tested ? binomialUpperTail(k, samples, baseline) : 1,
      tested,
    };
  });
  const adjusted = benjaminiHochberg(rows.map((r) => r.pValue));
  const statistics: SourceStatistics[] = rows
    .map(({ tested, ...r }, k) => ({
      ...r,
      adjustedPValue: adjusted[k],
      suspicious: tested && adjusted[k] < alpha && r.rate >= minRatio * r.restRate && r.flagged > 0,
    }))
    .sort((a, b) => b.rate - a.rate || b.samples - a.samples);
  const findings: Finding[] = statistics
    .filter((s) => s.suspicious)
    .map((s) => ({
      ruleId: 'source/high-flag-rate',
      severity: 'high',
      score: s.restRate > 0 ? s.rate / s.restRate : s.rate * s.samples,
      message:
        `source ${s.source}: ${s.flagged} of ${s.samples} samples flagged (${percent(s.rate)}) against ` +
        `${percent(s.restRate)} for the other sources (binomial test, adjusted p = ${s.adjustedPValue.toExponential(2)})`,
      target: { kind: 'source', id: s.source, ...(opts.uri === undefined ? {} : { uri: opts.uri }) },
      evidence: { ...s },
    }));
  return { sources: statistics, findings };
}

function percent(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}
