/**
 * Seeded, stratified splits: every class is spread over train/test (or over the folds) in proportion to its
 * size, to within one sample. Indices come back sorted ascending, so subsets keep the source file's order.
 */
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';
import type { Dataset } from './dataset.js';

export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * Splits sample indices so the test part holds round(n · testFraction) samples and each class c contributes
 * floor or ceil of count_c · testFraction of them (largest-remainder apportionment, ties broken at random).
 */
export function stratifiedSplit(y: Int32Array, testFraction: number, seed: number): Split {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new InputError(`test fraction must be strictly between 0 and 1, got ${testFraction}`, {
      field: 'testFraction',
    });
  }
  const rng = new Rng(seed);
  const byClass = shuffledIndicesByClass(y, rng);
  const quotas = apportion(
    byClass.map((c) => c.length * testFraction),
    Math.round(y.length * testFraction),
    rng,
  );
  const test: number[] = [];
  const train: number[] = [];
  byClass.forEach((indices, c) => {
    for (let i = 0; i < indices.length; i++) (i < quotas[c] ? test : train).push(indices[i]);
  });
  if (test.length === 0 || train.length === 0) {
    throw new InputError(
      `a test fraction of ${testFraction} leaves ${test.length === 0 ? 'the test' : 'the training'} set empty ` +
        `with ${y.length} samples`,
      { field: 'testFraction' },
    );
  }
  return { train: sortedIndices(train), test: sortedIndices(test) };
}

/**
 * k stratified folds: each class's shuffled samples are dealt round-robin over the folds, continuing where
 * the previous class stopped, so every fold gets floor or ceil of count_c / k of each class and the fold
 * sizes differ by at most one. Fold i's test part is fold i; its train part is everything else.
 */
export function stratifiedKFold(y: Int32Array, k: number, seed: number): Split[] {
  if (!Number.isInteger(k) || k < 2)
    throw new InputError(`k must be an integer ≥ 2, got ${k}`, { field: 'k' });
  if (k > y.length)
    throw new InputError(`k = ${k} folds need at least ${k} samples, got ${y.length}`, { field: 'k' });
  const foldOf = new Int32Array(y.length);
  let next = 0;
  for (const indices of shuffledIndicesByClass(y, new Rng(seed))) {
    for (const i of indices) foldOf[i] = next++ % k;
  }
  return Array.from({ length: k }, (_, fold) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < y.length; i++) (foldOf[i] === fold ? test : train).push(i);
    return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
  });
}

/** The samples at `indices`, in that order, with their labels, ids and source lines; metadata is shared. */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const n = dataset.y.length;
  const rowSize = n === 0 ? 0 : dataset.x.data.length / n;
  const x = new Float32Array(indices.length * rowSize);
  const y = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (!(Number.isInteger(i) && i >= 0 && i < n))
      throw new RangeError(`subset: index ${i} out of range [0, ${n})`);
    x.set(dataset.x.data.subarray(i * rowSize, (i + 1) * rowSize), j * rowSize);
    y[j] = dataset.y[i];
  }
  const out: Dataset = {
    ...dataset,
    x: { shape: [indices.length, ...dataset.x.shape.slice(1)], data: x },
    y,
  };
  if (dataset.ids !== undefined) out.ids = Array.from(indices, (i) => dataset.ids![i]);
  if (dataset.lines !== undefined) out.lines = Int32Array.from(indices, (i) => dataset.lines![i]);
  return out;
}

/** For each class 0 … max(y), its sample indices in a seeded random order. */
function shuffledIndicesByClass(y: Int32Array, rng: Rng): Uint32Array[] {
  let numClasses = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] < 0) throw new InputError(`label ${y[i]} is negative`, { row: i + 1, field: 'label' });
    numClasses = Math.max(numClasses, y[i] + 1);
  }
  const lists: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < y.length; i++) lists[y[i]].push(i);
  return lists.map((list) => rng.shuffle(Uint32Array.from(list)));
}

/** Integer quotas summing to `total`, each the floor or ceil of its ideal share (largest remainders first). */
function apportion(ideal: number[], total: number, rng: Rng): number[] {
  // The epsilon keeps float noise (30 × 0.1 = 3.0000000000000004) from counting as a remainder.
  const quotas = ideal.map((v) => Math.floor(v + 1e-9));
  let missing = total - quotas.reduce((a, b) => a + b, 0);
  const order = rng.permutation(ideal.length); // random tie-break, then a stable sort by remainder
  const byRemainder = Array.from(order).sort((a, b) => ideal[b] - quotas[b] - (ideal[a] - quotas[a]));
  for (const c of byRemainder) {
    if (missing <= 0) break;
    if (ideal[c] - quotas[c] > 1e-9) {
      quotas[c]++;
      missing--;
    }
  }
  return quotas;
}

function sortedIndices(list: number[]): Uint32Array {
  return Uint32Array.from(list).sort();
}
