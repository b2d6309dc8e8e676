/** A summary of a dataset for `antidote data inspect`: shape, classes, per-feature statistics, missing values. */
import type { Dataset } from './dataset.js';
import { type LoadOptions, loadDataset } from './load.js';

export interface FeatureSummary {
  name: string;
  /** Over the non-missing values; null when every value is missing. */
  min: number | null;
  max: number | null;
  mean: number | null;
  missing: number;
}

export interface DatasetInspection {
  samples: number;
  /** Shape of one sample, e.g. [64] or [1, 28, 28]. */
  sampleShape: number[];
  numClasses: number;
  classes: { label: number; name: string; count: number }[];
  features: FeatureSummary[];
  /** Missing (NaN) feature cells and the samples that have any. */
  missing: { cells: number; samples: number };
  /** Source rows the loader skipped (e.g. rows without a label), by 1-based line. */
  droppedLines: number[];
  source?: Dataset['source'];
}

export function inspectDataset(dataset: Dataset): DatasetInspection {
  const n = dataset.y.length;
  const sampleShape = dataset.x.shape.slice(1);
  const d = sampleShape.reduce((a, b) => a * b, 1);
  const counts = new Array<number>(dataset.numClasses).fill(0);
  for (const label of dataset.y) counts[label]++;

  const min = new Float64Array(d).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(d).fill(Number.NEGATIVE_INFINITY);
  const sum = new Float64Array(d);
  const missing = new Float64Array(d);
  let samplesWithMissing = 0;
  const x = dataset.x.data;
  for (let i = 0; i < n; i++) {
    let rowMissing = false;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j];
      if (Number.isNaN(v)) {
        missing[j]++;
        rowMissing = true;
        continue;
      }
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
      sum[j] += v;
    }
    if (rowMissing) samplesWithMissing++;
  }
  const present = (j: number): boolean => missing[j] < n;
  const inspection: DatasetInspection = {
    samples: n,
    sampleShape,
    numClasses: dataset.numClasses,
    classes: counts.map((count, label) => ({
      label,
      name: dataset.classNames?.[label] ?? String(label),
      count,
    })),
    features: Array.from({ length: d }, (_, j) => ({
      name: dataset.featureNames?.[j] ?? `f${j}`,
      min: present(j) ? min[j] : null,
      max: present(j) ? max[j] : null,
      mean: present(j) ? sum[j] / (n - missing[j]) : null,
      missing: missing[j],
    })),
    missing: { cells: missing.reduce((a, b) => a + b, 0), samples: samplesWithMissing },
    droppedLines: Array.from(dataset.droppedLines ?? []),
  };
  if (dataset.source !== undefined) inspection.source = dataset.source;
  return inspection;
}

/**
 * Loads and inspects a file. Missing values are kept (as NaN) and counted rather than rejected, so a file
 * that `loadDataset` refuses for its missing values can still be inspected.
 */
export function inspectFile(path: string, options: LoadOptions = {}): DatasetInspection {
  return inspectDataset(loadDataset(path, { ...options, missing: 'keep' }));
}
