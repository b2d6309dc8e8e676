import { InputError } from '../errors.js';
import type { ModelSnapshot } from '../models/architecture.js';

/** The tensors an attack may change: the named ones (each must exist), or every tensor of the model. */
export function selectTensors(snapshot: ModelSnapshot, names?: readonly string[]): string[] {
  if (names === undefined) return [...snapshot.weights.keys()];
  if (names.length === 0)
    throw new InputError('the list of tensors to attack is empty', { field: 'tensors' });
  for (const name of names) {
    if (!snapshot.weights.has(name)) {
      throw new InputError(
        `the model has no tensor "${name}" (it has ${[...snapshot.weights.keys()].join(', ')})`,
        {
          field: 'tensors',
        },
      );
    }
  }
  return [...names];
}
