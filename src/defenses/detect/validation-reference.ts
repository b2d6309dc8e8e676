/**
 * Checks against a trusted reference version of the dataset: it must have the same columns (one clear error
 * naming the differing ones otherwise), and each sample's features must lie in the reference's range.
 */
import type { Dataset } from '../../data/dataset.js';
import { InputError } from '../../errors.js';
import type { Finding } from '../../report/types.js';
import { featureName, rowLength, sampleName, sampleTarget } from './validation-common.js';

/** The reference in the data's terms. */
export interface AlignedReference {
  /** Reference rows in the data's feature order (n × d); a data feature the reference lacks (a category it
   *  never saw) is 0 there. */
  x: Float32Array;
  n: number;
  /** Class names of both sets: the data's in order, then any only the reference has. */
  classes: string[];
  /** Samples per class of `classes`, in the data and in the reference. */
  dataCounts: Float64Array;
  referenceCounts: Float64Array;
}

/**
 * Maps `reference` onto the data's features (by name; one-hot categories by column and category) and
 * classes (by name). Throws an InputError naming the columns only one of them has.
 */
export function alignReference(dataset: Dataset, reference: Dataset): AlignedReference {
  const file = reference.source?.uri;
  const dataColumns = sourceColumns(dataset);
  const referenceColumns = sourceColumns(reference);
  const d = rowLength(dataset);
  const referenceD = rowLength(reference);
  if (dataColumns === undefined || referenceColumns === undefined) {
    if (d !== referenceD) {
      throw new InputError(
        `the reference has ${referenceD} features per sample, the data has ${d}; they must have the same columns`,
        { file },
      );
    }
  } else {
    const onlyData = dataColumns.filter((c) => !referenceColumns.includes(c));
    const onlyReference = referenceColumns.filter((c) => !dataColumns.includes(c));
    if (onlyData.length > 0 || onlyReference.length > 0) {
      const parts = [
        onlyData.length > 0 ? `only in the data: ${onlyData.join(', ')}` : '',
        onlyReference.length > 0 ? `only in the reference: ${onlyReference.join(', ')}` : '',
      ].filter((p) => p !== '');
      throw new InputError(`the reference has other columns than the data (${parts.join('; ')})`, { file });
    }
  }
  const n = reference.y.length;
  const x = new Float32Array(n * d);
  const sourceOf = featureMapping(dataset, reference, d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const s = sourceOf[j];
      x[i * d + j] = s < 0 ? 0 : reference.x.data[i * referenceD + s];
    }
  }
  const dataNames = Array.from(
    { length: dataset.numClasses },
    (_, c) => dataset.classNames?.[c] ?? String(c),
  );
  const referenceNames = Array.from(
    { length: reference.numClasses },
    (_, c) => reference.classNames?.[c] ?? String(c),
  );
  const classes = [...dataNames, ...referenceNames.filter((name) => !dataNames.includes(name))];
  const dataCounts = new Float64Array(classes.length);
  const referenceCounts = new Float64Array(classes.length);
  for (const c of dataset.y) dataCounts[c]++;
  const referenceIndex = referenceNames.map((name) => classes.indexOf(name));
  for (const c of reference.y) referenceCounts[referenceIndex[c]]++;
  return { x, n, classes, dataCounts, referenceCounts };
}

/** Source columns (one-hot groups collapsed to their column) and the label column; undefined when unnamed. */
function sourceColumns(dataset: Dataset): string[] | undefined {
  if (dataset.featureNames === undefined) return undefined;
  const byFirst = new Map((dataset.encodings ?? []).map((e) => [e.firstFeature, e]));
  const columns: string[] = [];
  for (let j = 0; j < dataset.featureNames.length; ) {
    const encoding = byFirst.get(j);
    columns.push(encoding?.column ?? dataset.featureNames[j]);
    j += encoding?.categories.length ?? 1;
  }
  if (dataset.labelColumn !== undefined) columns.push(dataset.labelColumn.name);
  return columns;
}

/** For each data feature, the reference feature of the same name (−1: none); by position when unnamed. */
function featureMapping(dataset: Dataset, reference: Dataset, d: number): Int32Array {
  const names = dataset.featureNames;
  const referenceNames = reference.featureNames;
  if (names === undefined || referenceNames === undefined) return Int32Array.from({ length: d }, (_, j) => j);
  const index = new Map(referenceNames.map((name, j) => [name, j]));
  return Int32Array.from(names, (name) => index.get(name) ?? -1);
}

export interface RangeOptions {
  /** Slack beyond the reference's [min, max], as a fraction of its range (default 0.05). */
  tolerance?: number;
}

/** Features listed in one finding before "and N more". */
const LISTED = 3;

/**
 * Samples with a feature outside the reference's range widened by `tolerance` of it (at least 1e-6, so a
 * feature constant in the reference still admits rounding). Score: the largest excess in range units.
 */
export function outOfRangeFindings(
  dataset: Dataset,
  aligned: AlignedReference,
  opts: RangeOptions = {},
): Finding[] {
  const tolerance = opts.tolerance ?? 0.05;
  const d = rowLength(dataset);
  const low = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
  const high = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < aligned.n; i++) {
    for (let j = 0; j < d; j++) {
      const v = aligned.x[i * d + j];
      if (v < low[j]) low[j] = v;
      if (v > high[j]) high[j] = v;
    }
  }
  const slack = Float64Array.from(low, (lo, j) => Math.max(tolerance * (high[j] - lo), 1e-6));
  const findings: Finding[] = [];
  const outside: { j: number; excess: number }[] = [];
  const x = dataset.x.data;
  for (let i = 0; i < dataset.y.length; i++) {
    outside.length = 0;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (!(v < low[j] - slack[j] || v > high[j] + slack[j])) continue;
      const excess = (v < low[j] ? low[j] - v : v - high[j]) / Math.max(high[j] - low[j], 1);
      outside.push({ j, excess });
    }
    if (outside.length === 0) continue;
    outside.sort((a, b) => b.excess - a.excess);
    const shown = outside.slice(0, LISTED).map(({ j }) => {
      return `${featureName(dataset, j)} = ${formatValue(x[i * d + j])} outside [${formatValue(low[j])}, ${formatValue(high[j])}]`;
    });
    const more = outside.length > LISTED ? ` and ${outside.length - LISTED} more feature(s)` : '';
    findings.push({
      ruleId: 'validation/out-of-range',
      severity: 'medium',
      score: outside[0].excess,
      message: `${sampleName(dataset, i)}: ${shown.join('; ')}${more} (the reference's range)`,
      target: sampleTarget(dataset, i),
      evidence: {
        features: outside.slice(0, 20).map(({ j }) => featureName(dataset, j)),
        count: outside.length,
      },
    });
  }
  return findings;
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
