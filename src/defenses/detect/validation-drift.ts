/**
 * Distribution drift against the trusted reference: per feature, the two-sample Kolmogorov–Smirnov test
 * (Benjamini–Hochberg corrected over the features) and the population stability index over the reference's
 * deciles; for the labels, a chi-square test of the class counts and per-class proportion changes.
 *
 * Thresholds: a feature drifts when its corrected KS p-value is below `alpha` and the shift is large enough
 * to matter — PSI > 0.25 (major, high), 0.1–0.25 (moderate, medium), or KS D ≥ 0.1 with a small PSI (low).
 * With tens of thousands of samples almost any difference is significant, so the effect size decides.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Finding, Severity } from '../../report/types.js';
import { featureName, rowLength } from './validation-common.js';
import type { AlignedReference } from './validation-reference.js';
import {
  benjaminiHochberg,
  chiSquareHomogeneity,
  kolmogorovSmirnov,
  populationStabilityIndex,
  upperGammaQ,
} from './validation-statistics.js';

export interface DriftOptions {
  /** False discovery rate of the drift tests (default 0.01). */
  alpha?: number;
}

export const PSI_MODERATE = 0.1;
export const PSI_MAJOR = 0.25;
/** KS distance that counts as a real shift even when PSI (coarse bins) misses it. */
const KS_EFFECT = 0.1;
/** Columns read per pass over the rows. */
const COLUMN_BLOCK = 32;
/** Relative change of a class's share that counts as a balance change. */
const CLASS_SHARE_CHANGE = 0.25;

export interface FeatureDrift {
  feature: string;
  ks: number;
  pValue: number;
  adjustedPValue: number;
  psi: number;
}

/** KS and PSI of every feature, with BH-adjusted p-values. */
export function featureDrift(dataset: Dataset, aligned: AlignedReference): FeatureDrift[] {
  const d = rowLength(dataset);
  const results: Omit<FeatureDrift, 'adjustedPValue'>[] = [];
  for (let start = 0; start < d; start += COLUMN_BLOCK) {
    const width = Math.min(COLUMN_BLOCK, d - start);
    const actual = sortedColumns(dataset.x.data, dataset.y.length, d, start, width);
    const expected = sortedColumns(aligned.x, aligned.n, d, start, width);
    for (let c = 0; c < width; c++) {
      if (actual[c].length === 0 || expected[c].length === 0) continue;
      const { statistic, pValue } = kolmogorovSmirnov(expected[c], actual[c]);
      const psi = populationStabilityIndex(expected[c], actual[c]);
      results.push({ feature: featureName(dataset, start + c), ks: statistic, pValue, psi });
    }
  }
  const adjusted = benjaminiHochberg(results.map((r) => r.pValue));
  return results.map((r, k) => ({ ...r, adjustedPValue: adjusted[k] }));
}

export function featureDriftFindings(
  dataset: Dataset,
  aligned: AlignedReference,
  opts: DriftOptions = {},
): Finding[] {
  const alpha = opts.alpha ?? 0.01;
  const findings: Finding[] = [];
  for (const drift of featureDrift(dataset, aligned)) {
    const severity = driftSeverity(drift.adjustedPValue, drift.psi, drift.ks, alpha);
    if (severity === undefined) continue;
    findings.push({
      ruleId: 'validation/feature-drift',
      severity,
      score: drift.psi,
      message:
        `${drift.feature} drifted from the reference: PSI ${drift.psi.toFixed(3)} (${psiReading(drift.psi)}), ` +
        `KS D = ${drift.ks.toFixed(3)}, adjusted p = ${drift.adjustedPValue.toExponential(2)}`,
      target: { kind: 'feature', id: drift.feature, uri: dataset.source?.uri },
      evidence: { ...drift },
    });
  }
  return findings;
}

/**
 * The class counts against the reference: one dataset finding when the label distribution drifted
 * (chi-square, PSI over the classes), one per class whose share changed by ≥ 25 % relative (two-proportion
 * z-test, BH corrected), and classes that appear in only one of the two.
 */
export function labelDriftFindings(
  dataset: Dataset,
  aligned: AlignedReference,
  opts: DriftOptions = {},
): Finding[] {
  const alpha = opts.alpha ?? 0.01;
  const { classes, dataCounts, referenceCounts } = aligned;
  const n = sum(dataCounts);
  const m = sum(referenceCounts);
  const findings: Finding[] = [];
  const uri = dataset.source?.uri;
  const chi = chiSquareHomogeneity(dataCounts, referenceCounts);
  let psi = 0;
  for (let c = 0; c < classes.length; c++) {
    const p = Math.max(dataCounts[c] / n, 1e-4);
    const q = Math.max(referenceCounts[c] / m, 1e-4);
    psi += (p - q) * Math.log(p / q);
  }
  const severity = driftSeverity(chi.pValue, psi, 0, alpha) ?? (chi.pValue < alpha ? 'low' : undefined);
  if (severity !== undefined) {
    findings.push({
      ruleId: 'validation/label-drift',
      severity,
      score: psi,
      message:
        `the label distribution differs from the reference: χ² = ${chi.statistic.toFixed(1)} (df ${chi.df}), ` +
        `p = ${chi.pValue.toExponential(2)}, PSI ${psi.toFixed(3)} (${psiReading(psi)})`,
      target: { kind: 'dataset', id: 'labels', uri },
      evidence: { chiSquare: chi.statistic, df: chi.df, pValue: chi.pValue, psi },
    });
  }
  const pValues = classes.map((_, c) => twoProportionPValue(dataCounts[c], n, referenceCounts[c], m));
  const adjusted = benjaminiHochberg(pValues);
  classes.forEach((name, c) => {
    const share = dataCounts[c] / n;
    const referenceShare = referenceCounts[c] / m;
    const evidence = { share, referenceShare, count: dataCounts[c], referenceCount: referenceCounts[c] };
    if (dataCounts[c] === 0 || referenceCounts[c] === 0) {
      const message =
        dataCounts[c] === 0
          ? `class ${name} is in the reference (${referenceCounts[c]} samples) but not in the data`
          : `class ${name} (${dataCounts[c]} samples) does not occur in the reference`;
      findings.push({
        ruleId: 'validation/class-balance',
        severity: 'high',
        score: 1,
        message,
        target: { kind: 'class', id: name, uri },
        evidence,
      });
      return;
    }
    const change = share / referenceShare - 1;
    if (adjusted[c] >= alpha || Math.abs(change) < CLASS_SHARE_CHANGE) return;
    findings.push({
      ruleId: 'validation/class-balance',
      severity: 'medium',
      score: Math.abs(change),
      message:
        `class ${name} makes up ${percent(share)} of the data but ${percent(referenceShare)} of the reference ` +
        `(${change > 0 ? '+' : ''}${Math.round(100 * change)} % relative, adjusted p = ${adjusted[c].toExponential(2)})`,
      target: { kind: 'class', id: name, uri },
      evidence: { ...evidence, adjustedPValue: adjusted[c] },
    });
  });
  return findings;
}

function driftSeverity(pValue: number, psi: number, ks: number, alpha: number): Severity | undefined {
  if (pValue >= alpha) return undefined;
  if (psi > PSI_MAJOR) return 'high';
  if (psi >= PSI_MODERATE) return 'medium';
  return ks >= KS_EFFECT ? 'low' : undefined;
}

function psiReading(psi: number): string {
  return psi > PSI_MAJOR ? 'major shift' : psi >= PSI_MODERATE ? 'moderate shift' : 'small shift';
}

/** Two-sided p-value of the pooled two-proportion z-test; P(|Z| ≥ z) = Q(½, z²/2). */
function twoProportionPValue(a: number, n: number, b: number, m: number): number {
  const pooled = (a + b) / (n + m);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / m));
  if (se === 0) return 1;
  const z = (a / n - b / m) / se;
  return upperGammaQ(0.5, (z * z) / 2);
}

/**
 * The finite values of columns [start, start + width), each sorted. Columns are read a block at a time so
 * each pass over the rows uses whole cache lines instead of one float per row.
 */
function sortedColumns(x: Float32Array, n: number, d: number, start: number, width: number): Float32Array[] {
  const columns = Array.from({ length: width }, () => new Float32Array(n));
  const counts = new Int32Array(width);
  for (let i = 0; i < n; i++) {
    const offset = i * d + start;
    for (let c = 0; c < width; c++) {
      const v = x[offset + c];
      if (Number.isFinite(v)) columns[c][counts[c]++] = v;
    }
  }
  return columns.map((column, c) => column.subarray(0, counts[c]).sort());
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function percent(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}
