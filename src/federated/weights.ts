/** A model's parameters as one flat vector (the form client updates travel in), and back. */
import type { FirstLayer } from '../defenses/federated/input-space.js';
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

/**
 * Where the model's first dense layer lies in its flat parameter vector, when the first layer with
 * parameters is a dense layer fed by the (flattened) input itself; undefined otherwise (e.g. a CNN).
 */
export function firstDenseLayer(snapshot: ModelSnapshot): FirstLayer | undefined {
  const { layers } = snapshot.architecture;
  const index = layers.findIndex((layer) => layer.type !== 'flatten');
  const layer = layers[index];
  if (layer?.type !== 'dense') return undefined;
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const [name, t] of snapshot.weights) {
    offsets.set(name, offset);
    offset += t.data.length;
  }
  const weightOffset = offsets.get(`layers.${index}.weight`);
  if (weightOffset === undefined) return undefined;
  const biasOffset = offsets.get(`layers.${index}.bias`);
  return {
    weightOffset,
    inputs: layer.inputs,
    units: layer.units,
    ...(biasOffset !== undefined && { biasOffset }),
  };
}
