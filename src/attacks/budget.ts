import { InputError } from '../errors.js';
import type { Budget } from './types.js';

/**
 * The number of items a budget allows: `count`, or round(rate · total). Exactly one of the two must be
 * given; the result must fit in `available` (the items the attack may choose from, e.g. the samples of the
 * source class), and `what` names those items in the error.
 */
export function resolveBudget(budget: Budget, total: number, available: number, what: string): number {
  const { rate, count } = budget;
  if ((rate === undefined) === (count === undefined)) {
    throw new InputError('give exactly one of rate and count', {
      field: rate === undefined ? 'rate' : 'count',
    });
  }
  let k: number;
  if (rate !== undefined) {
    if (!(rate >= 0 && rate <= 1))
      throw new InputError(`rate must be from 0 to 1, got ${rate}`, { field: 'rate' });
    k = Math.round(rate * total);
  } else {
    k = count!;
    if (!(Number.isInteger(k) && k >= 0)) {
      throw new InputError(`count must be a non-negative integer, got ${k}`, { field: 'count' });
    }
  }
  if (k > available) {
    throw new InputError(`the budget asks for ${k} ${what} but only ${available} are available`, {
      field: rate !== undefined ? 'rate' : 'count',
    });
  }
  return k;
}
