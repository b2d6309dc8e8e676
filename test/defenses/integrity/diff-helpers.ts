import type { WeightChange } from '../../../src/attacks/weight-truth.js';
import type { WeightDiff } from '../../../src/defenses/integrity/weight-diff.js';
import { Rng } from '../../../src/engine/rng.js';
import type { Tensor } from '../../../src/engine/tensor.js';
import type { ModelSnapshot } from '../../../src/models/architecture.js';

/** A seeded MLP of 2 dense layers (hidden 24, about 700 weights). */
export function seededModel(seed: number, inputs = 20, hidden = 24, classes = 4): ModelSnapshot {
  const rng = new Rng(seed);
  const t = (shape: number[]): Tensor => ({
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 0.3 * rng.normal()),
  });
  return {
    architecture: {
      format: 'antidote-model',
      version: 1,
      kind: 'mlp',
      inputShape: [inputs],
      numClasses: classes,
      layers: [
        { type: 'dense', inputs, units: hidden },
        { type: 'relu' },
        { type: 'dense', inputs: hidden, units: classes },
      ],
    },
    weights: new Map([
      ['layers.0.weight', t([inputs, hidden])],
      ['layers.0.bias', t([hidden])],
      ['layers.2.weight', t([hidden, classes])],
      ['layers.2.bias', t([classes])],
    ]),
  };
}

/** Every changed element the diff found, as `tensor:index:bits`, sorted. */
export function foundChanges(diff: WeightDiff): string[] {
  return diff.tensors
    .flatMap((t) => t.elements.map((e) => `${t.name}:${e.index}:${e.bits.join(',')}`))
    .sort();
}

export function plantedChanges(changes: readonly WeightChange[]): string[] {
  return changes.map((c) => `${c.tensor}:${c.index}:${c.bits.join(',')}`).sort();
}
