/**
 * Pulls the provenance column (annotator, contributor, upload batch) out of a loaded table, so it names each
 * sample's source without becoming a feature. The table must be loaded with the column listed in
 * `categorical` (LoadOptions), which keeps its values as text in a one-hot group; this removes the group.
 */
import type { Dataset } from '../../data/dataset.js';
import { InputError } from '../../errors.js';
import { rowLength } from './validation-common.js';

/** The source of a sample whose source cell is empty. */
export const MISSING_SOURCE = '(missing)';

export interface SourceColumn {
  /** The dataset without the source column's features. */
  dataset: Dataset;
  /** Each sample's source. */
  sources: string[];
}

export function extractSourceColumn(dataset: Dataset, column: string): SourceColumn {
  const file = dataset.source?.uri;
  if (dataset.labelColumn?.name === column) {
    throw new InputError('the source column cannot be the label column', { file, field: column });
  }
  const encoding = dataset.encodings?.find((e) => e.column === column);
  if (encoding === undefined) {
    const encoded = new Map(
      (dataset.encodings ?? []).flatMap((e) =>
        e.categories.map((c): [string, string] => [`${e.column}=${c}`, e.column]),
      ),
    );
    const columns = [...new Set((dataset.featureNames ?? []).map((name) => encoded.get(name) ?? name))];
    throw new InputError(
      dataset.featureNames === undefined
        ? 'this format has no named columns, so it cannot carry a source column (use CSV or JSONL)'
        : `no source column "${column}" (columns: ${columns.join(', ')})`,
      { file, field: column },
    );
  }
  const n = dataset.y.length;
  const d = rowLength(dataset);
  const width = encoding.categories.length;
  const first = encoding.firstFeature;
  const keptD = d - width;
  const x = new Float32Array(n * keptD);
  const sources: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = dataset.x.data.subarray(i * d, (i + 1) * d);
    x.set(row.subarray(0, first), i * keptD);
    x.set(row.subarray(first + width), i * keptD + first);
    const hot = encoding.categories.findIndex((_, q) => row[first + q] === 1);
    sources[i] = hot < 0 ? MISSING_SOURCE : encoding.categories[hot];
  }
  const encodings = (dataset.encodings ?? [])
    .filter((e) => e !== encoding)
    .map((e) => (e.firstFeature > first ? { ...e, firstFeature: e.firstFeature - width } : e));
  const stripped: Dataset = {
    ...dataset,
    x: { shape: [n, keptD], data: x },
    featureNames: dataset.featureNames?.filter((_, j) => j < first || j >= first + width),
    encodings: encodings.length > 0 ? encodings : undefined,
  };
  return { dataset: stripped, sources };
}
