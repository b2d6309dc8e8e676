import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { applyDatasetTruth, type DatasetAttackResult } from '../../src/attacks/dataset-truth.js';
import type { Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/engine/rng.js';

/** A seeded dataset of n samples, d integer-valued features in [0, 16] and K classes (every class present). */
export function syntheticDataset(seed: number, n = 120, d = 16, numClasses = 4): Dataset {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * d }, () => rng.int(17));
  const y = Int32Array.from({ length: n }, (_, i) => (i < numClasses ? i : rng.int(numClasses)));
  return {
    x: { shape: [n, d], data: x },
    y,
    numClasses,
    ids: Array.from({ length: n }, (_, i) => `s${i}`),
    lines: Int32Array.from({ length: n }, (_, i) => i + 2),
    source: { uri: 'memory:synthetic', sha256: 'none', format: 'csv' },
  };
}

/** SHA-256 over a dataset's features and labels: equal fingerprints ⇔ byte-identical data. */
export function fingerprint(dataset: Dataset): string {
  return createHash('sha256')
    .update(new Uint8Array(dataset.x.data.buffer, dataset.x.data.byteOffset, dataset.x.data.byteLength))
    .update(new Uint8Array(dataset.y.buffer, dataset.y.byteOffset, dataset.y.byteLength))
    .update(JSON.stringify(dataset.x.shape))
    .digest('hex');
}

/**
 * The checks every data attack must pass: the input is untouched, the truth survives JSON and replays to the
 * exact output, and `poisoned` lists exactly the rows that differ from the clean data plus the injected ones.
 */
export function expectExactTruth(clean: Dataset, before: string, result: DatasetAttackResult): void {
  expect(fingerprint(clean)).toBe(before);
  const truth = JSON.parse(JSON.stringify(result.truth));
  expect(fingerprint(applyDatasetTruth(clean, truth))).toBe(fingerprint(result.output));
  const n = clean.y.length;
  const d = clean.x.data.length / n;
  const differing: number[] = [];
  for (let i = 0; i < n; i++) {
    const changed =
      clean.y[i] !== result.output.y[i] ||
      clean.x.data.subarray(i * d, (i + 1) * d).some((v, j) => v !== result.output.x.data[i * d + j]);
    if (changed) differing.push(i);
  }
  for (let i = n; i < result.output.y.length; i++) differing.push(i);
  expect(Array.from(result.poisoned)).toEqual(differing);
}
