/** Small helpers the validation and source detectors share: how a sample, feature and class are named. */
import type { Dataset } from '../../data/dataset.js';
import type { FindingTarget, Severity } from '../../report/types.js';

/** Values per sample: the length of one flattened row of `x`. */
export function rowLength(dataset: Dataset): number {
  const n = dataset.y.length;
  return n === 0 ? dataset.x.shape.slice(1).reduce((a, b) => a * b, 1) : dataset.x.data.length / n;
}

/** The report target of sample `i`: its 0-based index, the data file and, for CSV/JSONL, its 1-based line. */
export function sampleTarget(dataset: Dataset, i: number): FindingTarget {
  const target: FindingTarget = { kind: 'sample', id: String(i) };
  if (dataset.source !== undefined) target.uri = dataset.source.uri;
  const line = dataset.lines?.[i];
  if (line !== undefined && line > 0) target.line = line;
  return target;
}

/** "row 12" for CSV/JSONL samples (their file line), else "sample 11" (the 0-based index). */
export function sampleName(dataset: Dataset, i: number): string {
  const line = dataset.lines?.[i];
  return line !== undefined && line > 0 ? `line ${line}` : `sample ${i}`;
}

export function featureName(dataset: Dataset, j: number): string {
  return dataset.featureNames?.[j] ?? `feature ${j}`;
}

export function className(dataset: Dataset, c: number): string {
  return dataset.classNames?.[c] ?? String(c);
}

/** A per-sample suspicion in [0, 1] from the severity of the worst finding about it. */
export const SEVERITY_SCORE: Record<Severity, number> = {
  info: 0.1,
  low: 0.3,
  medium: 0.6,
  high: 0.9,
  critical: 1,
};
