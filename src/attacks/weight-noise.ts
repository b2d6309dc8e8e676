/** Gaussian weight noise: every parameter of the chosen tensors gets w + N(0, σ²) (σ relative to the tensor's RMS if asked). */
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';
import type { ModelSnapshot } from '../models/architecture.js';
import { selectTensors } from './tensor-selection.js';
import { type WeightAttackResult, WeightEditor } from './weight-truth.js';

export interface WeightNoiseOptions {
  sigma: number;
  /** Scale σ by each tensor's root-mean-square value, so one σ means the same for every layer. */
  relative?: boolean;
  /** Tensor names to perturb (default: all). */
  tensors?: string[];
  seed: number;
}

export function gaussianWeightNoise(snapshot: ModelSnapshot, opts: WeightNoiseOptions): WeightAttackResult {
  if (!(Number.isFinite(opts.sigma) && opts.sigma >= 0)) {
    throw new InputError(`sigma must be a non-negative number, got ${opts.sigma}`, { field: 'sigma' });
  }
  const rng = new Rng(opts.seed);
  const editor = new WeightEditor(snapshot);
  for (const name of selectTensors(snapshot, opts.tensors)) {
    const data = editor.tensor(name);
    const scale = opts.relative ? opts.sigma * rootMeanSquare(data) : opts.sigma;
    for (let i = 0; i < data.length; i++) editor.setValue(name, i, data[i] + scale * rng.normal());
  }
  return editor.result({
    attack: 'gaussian-noise',
    seed: opts.seed,
    params: {
      sigma: opts.sigma,
      relative: opts.relative ?? false,
      tensors: selectTensors(snapshot, opts.tensors),
    },
  });
}

function rootMeanSquare(data: Float32Array): number {
  let sum = 0;
  for (const v of data) sum += v * v;
  return data.length === 0 ? 0 : Math.sqrt(sum / data.length);
}
