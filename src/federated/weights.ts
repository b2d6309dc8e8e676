/** A model's parameters as one flat vector (the form client updates travel in), and back. */
import type { Tensor } from '../engine/tensor.js';
import type { ModelSnapshot } from '../models/architecture.js';

/** Every parameter of the snapshot, concatenated in the snapshot's order. */
export function flattenWeights(snapshot: ModelSnapshot): Float32Array {
  const tensors = [...snapshot.weights.values()];
  const out = new Float32Array(tensors.reduce((sum, t) => sum + t.data.length, 0));
  let offset = 0;
  for (const t of tensors) {
    out.set(t.data, offset);
    offset += t.data.length;
  }
  return out;
}

/** A snapshot with the same architecture and the parameters taken, in order, from `flat`. */
export function withWeights(snapshot: ModelSnapshot, flat: Float32Array): ModelSnapshot {
  const weights = new Map<string, Tensor>();
  let offset = 0;
  for (const [name, t] of snapshot.weights) {
    weights.set(name, { shape: t.shape, data: flat.slice(offset, offset + t.data.length) });
    offset += t.data.length;
  }
  if (offset !== flat.length)
    throw new RangeError(`withWeights: ${flat.length} values for ${offset} parameters`);
  return { architecture: snapshot.architecture, weights };
}
