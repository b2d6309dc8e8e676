/**
 * `--fix`: the dataset without the samples a scan flagged (any finding at or above `minSeverity`, default
 * medium), or — with `relabel` — with the suggested label where every such finding is a label issue that
 * suggests one. Read from the Report alone, so a saved report can fix its dataset later.
 */
import type { Dataset } from '../data/dataset.js';
import { subset } from '../data/split.js';
import { InputError } from '../errors.js';
import { type Report, type Severity, severityRank } from '../report/types.js';

export interface FixOptions {
  minSeverity?: Severity;
  relabel?: boolean;
}

export interface FixResult {
  dataset: Dataset;
  /** 0-based indices (in the scanned dataset) of the samples left out. */
  removed: number[];
  relabelled: { index: number; from: number; to: number }[];
}

export function fixDataset(dataset: Dataset, report: Report, opts: FixOptions = {}): FixResult {
  const minRank = severityRank(opts.minSeverity ?? 'medium');
  const n = dataset.y.length;
  const samples = report.metrics.samples;
  if (samples !== undefined && samples !== n) {
    throw new InputError(`the report is of ${samples} samples, the dataset has ${n}`, {
      file: dataset.source?.uri,
    });
  }
  /** Per sample: the suggested label when all its serious findings agree on one, else −1 (remove). */
  const verdicts = new Map<number, number>();
  for (const finding of report.findings) {
    if (finding.target.kind !== 'sample' || severityRank(finding.severity) < minRank) continue;
    const i = Number(finding.target.id);
    const suggested = finding.evidence?.suggestedLabel;
    const relabel =
      opts.relabel === true && finding.ruleId.startsWith('label-issue/') && typeof suggested === 'number';
    const previous = verdicts.get(i);
    if (!relabel) verdicts.set(i, -1);
    else if (previous === undefined) verdicts.set(i, suggested);
    else if (previous !== suggested) verdicts.set(i, -1);
  }
  const removed: number[] = [];
  const relabelled: FixResult['relabelled'] = [];
  const y = dataset.y.slice();
  for (const [i, label] of verdicts) {
    if (label < 0) removed.push(i);
    else if (label !== y[i]) {
      relabelled.push({ index: i, from: y[i], to: label });
      y[i] = label;
    }
  }
  removed.sort((a, b) => a - b);
  relabelled.sort((a, b) => a.index - b.index);
  const gone = new Set(removed);
  const kept = Array.from({ length: n }, (_, i) => i).filter((i) => !gone.has(i));
  const { source: _source, ...rest } = subset({ ...dataset, y }, kept);
  return { dataset: rest, removed, relabelled };
}
