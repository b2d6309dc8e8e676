/**
 * The inverse of tabular.ts: a Dataset back to source columns (categorical features collapsed to their
 * category, labels to their class names, the label column at its original position), for the CSV and JSONL
 * writers. NaN features come back as missing (null).
 */
import type { CategoricalEncoding, Dataset } from './dataset.js';

export type OutputCell = string | number | null;

export interface OutputTable {
  columns: string[];
  rows: OutputCell[][];
}

type ColumnPlan =
  | { kind: 'numeric'; name: string; feature: number }
  | { kind: 'categorical'; encoding: CategoricalEncoding }
  | { kind: 'label'; name: string };

export function datasetToTable(dataset: Dataset): OutputTable {
  const n = dataset.y.length;
  const d = n === 0 ? featureCount(dataset) : dataset.x.data.length / n;
  const plans = columnPlans(dataset, d);
  const labelOf = labelWriter(dataset);
  const rows = Array.from({ length: n }, (_, i) => {
    const row = dataset.x.data.subarray(i * d, (i + 1) * d);
    return plans.map((plan): OutputCell => {
      if (plan.kind === 'label') return labelOf(dataset.y[i]);
      if (plan.kind === 'numeric') return Number.isNaN(row[plan.feature]) ? null : row[plan.feature];
      const { firstFeature, categories } = plan.encoding;
      const hot = categories.findIndex((_, q) => row[firstFeature + q] === 1);
      return hot < 0 ? null : categories[hot];
    });
  });
  return { columns: plans.map((p) => (p.kind === 'categorical' ? p.encoding.column : p.name)), rows };
}

/**
 * The shortest decimal that reads back as the same float32 (so 0.1f prints as 0.1, not 0.10000000149…).
 * Binary search over the number of significant digits: every p-digit decimal is also a (p+1)-digit one, so
 * if p digits read back exactly, so do p+1; nine always do.
 */
export function formatFloat32(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(v.toPrecision(mid))) === v) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(v.toPrecision(lo)));
}

function featureCount(dataset: Dataset): number {
  return dataset.x.shape.slice(1).reduce((a, b) => a * b, 1);
}

function columnPlans(dataset: Dataset, d: number): ColumnPlan[] {
  const byFirst = new Map((dataset.encodings ?? []).map((e) => [e.firstFeature, e]));
  const plans: ColumnPlan[] = [];
  for (let j = 0; j < d; ) {
    const encoding = byFirst.get(j);
    if (encoding !== undefined) {
      plans.push({ kind: 'categorical', encoding });
      j += encoding.categories.length;
    } else {
      plans.push({ kind: 'numeric', name: dataset.featureNames?.[j] ?? `f${j}`, feature: j });
      j++;
    }
  }
  const label = dataset.labelColumn ?? { name: 'label', index: plans.length };
  plans.splice(Math.min(label.index, plans.length), 0, { kind: 'label', name: label.name });
  return plans;
}

/** Labels as their class names, except integer class names ('0', '1', …) which stay numbers. */
function labelWriter(dataset: Dataset): (label: number) => string | number {
  const names = dataset.classNames;
  if (names === undefined || names.every((name, c) => name === String(c))) return (label) => label;
  return (label) => names[label];
}
