/** Option checks shared by the data attacks; each failure is an InputError naming the option. */
import type { Dataset } from '../data/dataset.js';
import type { Tensor } from '../engine/tensor.js';
import { InputError } from '../errors.js';
import type { Budget } from './types.js';

export function requireClasses(dataset: Dataset, min: number): void {
  if (dataset.numClasses < min) {
    throw new InputError(`this attack needs at least ${min} classes, the dataset has ${dataset.numClasses}`, {
      field: 'numClasses',
    });
  }
}

export function requireClass(dataset: Dataset, c: number, field: string): void {
  if (!(Number.isInteger(c) && c >= 0 && c < dataset.numClasses)) {
    throw new InputError(`class ${c} is outside [0, ${dataset.numClasses})`, { field });
  }
}

/** A probability tensor [n, K] for the samples of `dataset`. */
export function requireProbabilities(probabilities: Tensor, dataset: Dataset): void {
  const [n, k] = probabilities.shape;
  if (probabilities.shape.length !== 2 || n !== dataset.y.length || k !== dataset.numClasses) {
    throw new InputError(
      `probabilities must be [${dataset.y.length}, ${dataset.numClasses}], got [${probabilities.shape}]`,
      { field: 'probabilities' },
    );
  }
}

/** The budget as recorded in a truth file's params. */
export function budgetParams(budget: Budget): { rate: number } | { count: number } {
  return budget.rate !== undefined ? { rate: budget.rate } : { count: budget.count! };
}

export function indicesOfClass(y: Int32Array, c: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < y.length; i++) if (y[i] === c) out.push(i);
  return out;
}
