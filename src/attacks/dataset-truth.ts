/**
 * Ground truth of attacks on datasets (label flipping, injection, backdoors) and the one place that builds
 * poisoned datasets, so every data attack records its changes the same way and `applyDatasetTruth` can
 * replay them exactly.
 */
import type { Dataset } from '../data/dataset.js';
import { InputError } from '../errors.js';
import type { TriggerSpec } from './triggers.js';
import type { AttackResult, JsonValue } from './types.js';

/** A sample of the clean dataset that the attack changed; it keeps its row in the output. */
export interface SampleChange {
  index: number;
  originalLabel: number;
  label: number;
  /** Positions within the row of the features whose value changed, with the old and new values. */
  features?: { indices: number[]; original: number[]; values: number[] };
}

/** A sample the attack added; injected samples follow the clean ones in the output. */
export interface InjectedSample {
  index: number;
  label: number;
  features: number[];
}

/** What a triggered input must be classified as. */
export interface BackdoorTarget {
  trigger: TriggerSpec;
  /** The target class of an all-to-one backdoor; for all-to-all the target of label y is (y + 1) mod K. */
  target: number | null;
  allToAll: boolean;
  /** Clean-label poisoning: the poisoned samples kept their (correct) labels. */
  cleanLabel: boolean;
}

export interface DatasetTruth {
  format: 'antidote-attack-truth';
  version: 1;
  family: 'label-flip' | 'injection' | 'backdoor';
  /** The attack's name, e.g. 'uniform-flip', 'badnets', 'availability'. */
  attack: string;
  seed: number;
  /** Samples in the clean input; the truth only applies to a dataset of this size and row length. */
  cleanSamples: number;
  rowLength: number;
  changed: SampleChange[];
  injected: InjectedSample[];
  backdoor?: BackdoorTarget;
  params: Record<string, JsonValue>;
}

export type DatasetAttackResult = AttackResult<Dataset, DatasetTruth>;

export type DatasetAttackHeader = Pick<DatasetTruth, 'family' | 'attack' | 'seed' | 'params' | 'backdoor'>;

/** Values per sample: the length of one flattened row of `x`. */
export function rowLength(dataset: Dataset): number {
  const n = dataset.y.length;
  return n === 0 ? 0 : dataset.x.data.length / n;
}

/**
 * Collects the changes of a data attack on a copy of the clean dataset; `build` returns the poisoned
 * dataset, the sorted poisoned rows and the truth. The clean dataset is never written to.
 */
export class PoisonedDatasetBuilder {
  private readonly x: Float32Array;
  private readonly y: Int32Array;
  private readonly touched = new Set<number>();
  private readonly injected: InjectedSample[] = [];
  readonly rowLength: number;

  constructor(private readonly clean: Dataset) {
    this.x = clean.x.data.slice();
    this.y = clean.y.slice();
    this.rowLength = rowLength(clean);
  }

  /** The current (possibly already changed) features of clean row `i`; a view, do not write to it. */
  row(i: number): Float32Array {
    return this.x.subarray(i * this.rowLength, (i + 1) * this.rowLength);
  }

  setLabel(i: number, label: number): void {
    this.checkLabel(label);
    this.y[i] = label;
    this.touched.add(i);
  }

  setFeatures(i: number, values: ArrayLike<number>): void {
    this.x.set(values, i * this.rowLength);
    this.touched.add(i);
  }

  inject(features: ArrayLike<number>, label: number): void {
    if (features.length !== this.rowLength) {
      throw new InputError(
        `an injected sample has ${features.length} features, rows have ${this.rowLength}`,
        {
          field: 'injected',
        },
      );
    }
    this.checkLabel(label);
    const index = this.clean.y.length + this.injected.length;
    this.injected.push({ index, label, features: Array.from(Float32Array.from(features)) });
  }

  build(header: DatasetAttackHeader): { output: Dataset; poisoned: Uint32Array; truth: DatasetTruth } {
    const n = this.clean.y.length;
    const changed: SampleChange[] = [];
    for (const i of [...this.touched].sort((a, b) => a - b)) {
      const change = this.describeChange(i);
      if (change !== undefined) changed.push(change);
    }
    const truth: DatasetTruth = {
      format: 'antidote-attack-truth',
      version: 1,
      family: header.family,
      attack: header.attack,
      seed: header.seed,
      cleanSamples: n,
      rowLength: this.rowLength,
      changed,
      injected: this.injected,
      ...(header.backdoor === undefined ? {} : { backdoor: header.backdoor }),
      params: header.params,
    };
    const poisoned = Uint32Array.from([...changed.map((c) => c.index), ...this.injected.map((s) => s.index)]);
    return { output: this.assemble(), poisoned, truth };
  }

  private describeChange(i: number): SampleChange | undefined {
    const original = this.clean.x.data.subarray(i * this.rowLength, (i + 1) * this.rowLength);
    const current = this.row(i);
    const indices: number[] = [];
    for (let j = 0; j < this.rowLength; j++) if (current[j] !== original[j]) indices.push(j);
    if (indices.length === 0 && this.y[i] === this.clean.y[i]) return undefined;
    const change: SampleChange = { index: i, originalLabel: this.clean.y[i], label: this.y[i] };
    if (indices.length > 0) {
      change.features = {
        indices,
        original: indices.map((j) => original[j]),
        values: indices.map((j) => current[j]),
      };
    }
    return change;
  }

  private assemble(): Dataset {
    const n = this.clean.y.length;
    const total = n + this.injected.length;
    const x = new Float32Array(total * this.rowLength);
    x.set(this.x);
    const y = new Int32Array(total);
    y.set(this.y);
    for (const s of this.injected) {
      x.set(s.features, s.index * this.rowLength);
      y[s.index] = s.label;
    }
    // The poisoned data no longer matches the clean file, so its source record is dropped.
    const { source: _source, ...rest } = this.clean;
    const out: Dataset = { ...rest, x: { shape: [total, ...this.clean.x.shape.slice(1)], data: x }, y };
    if (this.injected.length > 0) {
      if (rest.ids !== undefined) out.ids = [...rest.ids, ...this.injected.map((s) => `injected-${s.index}`)];
      if (rest.lines !== undefined) {
        // Injected samples come from no line of the source file: 0.
        const lines = new Int32Array(total);
        lines.set(rest.lines);
        out.lines = lines;
      }
    }
    return out;
  }

  private checkLabel(label: number): void {
    if (!(Number.isInteger(label) && label >= 0 && label < this.clean.numClasses)) {
      throw new InputError(`label ${label} is outside [0, ${this.clean.numClasses})`, { field: 'label' });
    }
  }
}

/**
 * Replays a data attack's truth on the clean dataset and returns the poisoned one. Fails with an InputError
 * naming the sample when the truth does not belong to this dataset (other size, other labels or values).
 */
export function applyDatasetTruth(clean: Dataset, truth: DatasetTruth): Dataset {
  const n = clean.y.length;
  if (truth.cleanSamples !== n || truth.rowLength !== rowLength(clean)) {
    throw new InputError(
      `the truth is for ${truth.cleanSamples} samples of ${truth.rowLength} features, ` +
        `the dataset has ${n} of ${rowLength(clean)}`,
      { field: 'cleanSamples' },
    );
  }
  const builder = new PoisonedDatasetBuilder(clean);
  for (const change of truth.changed) {
    const i = change.index;
    const where = { row: i + 1, field: 'changed' };
    if (!(Number.isInteger(i) && i >= 0 && i < n))
      throw new InputError(`sample index ${i} is out of range`, where);
    if (clean.y[i] !== change.originalLabel) {
      throw new InputError(
        `the truth says label ${change.originalLabel}, the dataset has ${clean.y[i]}`,
        where,
      );
    }
    if (change.features !== undefined) {
      const row = builder.row(i).slice();
      change.features.indices.forEach((j, k) => {
        if (row[j] !== change.features!.original[k]) {
          throw new InputError(
            `feature ${j}: the truth says ${change.features!.original[k]}, the dataset has ${row[j]}`,
            where,
          );
        }
        row[j] = change.features!.values[k];
      });
      builder.setFeatures(i, row);
    }
    builder.setLabel(i, change.label);
  }
  truth.injected.forEach((s, k) => {
    if (s.index !== n + k) {
      throw new InputError(`injected sample ${k} has index ${s.index}, expected ${n + k}`, {
        field: 'injected',
      });
    }
    builder.inject(s.features, s.label);
  });
  return builder.build(truth).output;
}
