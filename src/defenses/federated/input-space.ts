/**
 * The server's clean input space, and the part of a client update that clean inputs cannot explain.
 *
 * Why it finds backdoors: a dense layer's weight gradient for one sample is the outer product x ⊗ δ (and δ
 * for the bias), so every update of a model's first dense layer is a combination of the inputs the client
 * trained on, with the bias as a constant input 1. Honest clients train on inputs like the server's clean
 * root set; a backdoor client's inputs also carry the trigger, a direction clean data lacks (a patch on
 * the always-empty border of an image). Projected off the principal span of the clean inputs, what is left
 * of an honest update is each client's own unusual images, different from client to client, while every
 * backdoor client's residual holds the same trigger: the residuals of colluding clients align (FoolsGold's
 * sybil signal, Fung et al. 2020, applied where honest updates no longer share the task's direction). It
 * is also why backdoors survive robust aggregation: clean data exerts no force in the trigger's direction,
 * so a small bias there accumulates round after round (the capacity clean data leaves unused, in which
 * Fine-Pruning finds backdoors: Liu, Dolan-Gavitt & Garg 2018).
 */
import { z } from 'zod';
import { symmetricEigen } from '../../engine/kernels/symmetric-eigen.js';
import { Rng } from '../../engine/rng.js';
import { InputError } from '../../errors.js';
import { parseOptions } from './options.js';

/** Where a model's first dense layer lies in a flat update: its weight, inputs × units row-major, and bias. */
export interface FirstLayer {
  weightOffset: number;
  inputs: number;
  units: number;
  /** Offset of the layer's bias (units values), if it has one. */
  biasOffset?: number;
}

export interface CleanInputSpace {
  layer: FirstLayer;
  /**
   * Rows of an orthonormal basis of the inputs, leading first: [x, 1] (inputs + 1 columns) when the layer has
   * a bias, which acts as a constant input; x alone (inputs columns) when it has none.
   */
  basis: Float64Array;
  rank: number;
  /** Fraction of the clean inputs' second moment Σ‖[x, 1]‖² that the basis keeps. */
  energy: number;
}

export const cleanInputSpaceOptions = z.strictObject({
  /** Keep the leading directions of the clean inputs up to this fraction of their energy. */
  energy: z.number().gt(0).max(1).default(0.97),
  /** Use at most this many clean samples (a seeded draw when there are more): the basis costs O(n³). */
  maxSamples: z.number().int().min(1).default(256),
  seed: z.number().int().default(0),
});
export type CleanInputSpaceOptions = z.input<typeof cleanInputSpaceOptions>;

/**
 * The principal span of clean inputs `x` (count × layer.inputs, already transformed as the first layer sees
 * them, e.g. standardised), each augmented with the bias's constant 1: the eigenvectors of the samples' Gram
 * matrix mapped back to input space, leading ones first, until `energy` of the total is kept.
 */
export function cleanInputSpace(
  x: Float32Array,
  count: number,
  layer: FirstLayer,
  options: CleanInputSpaceOptions = {},
): CleanInputSpace {
  const { energy, maxSamples, seed } = parseOptions('clean input space', cleanInputSpaceOptions, options);
  checkLayer(layer);
  const p = layer.inputs;
  if (!(Number.isInteger(count) && count >= 1) || x.length !== count * p) {
    throw new InputError(
      `the clean inputs hold ${x.length} values, not ${count} samples × ${p} inputs of the first layer`,
      { field: 'inputs' },
    );
  }
  const picked =
    count > maxSamples ? [...new Rng(seed).sample(count, maxSamples)].sort((a, b) => a - b) : null;
  const n = picked?.length ?? count;
  const width = layerWidth(layer);
  const rows = new Float64Array(n * width);
  for (let r = 0; r < n; r++) {
    const i = picked ? picked[r] : r;
    for (let j = 0; j < p; j++) {
      const v = x[i * p + j];
      if (!Number.isFinite(v)) {
        throw new InputError(`clean input sample ${i + 1}, feature ${j + 1} is ${v}`, { field: 'inputs' });
      }
      rows[r * width + j] = v;
    }
    if (width > p) rows[r * width + p] = 1;
  }
  const gram = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let j = 0; j < width; j++) s += rows[a * width + j] * rows[b * width + j];
      gram[a * n + b] = s;
      gram[b * n + a] = s;
    }
  }
  const { values, vectors } = symmetricEigen(gram, n);
  let total = 0;
  for (const v of values) total += Math.max(v, 0);
  const basis: number[] = [];
  let kept = 0;
  let rank = 0;
  // Gram eigenvector u with eigenvalue λ gives the unit input-space direction Σᵢ uᵢ·rowᵢ / √λ.
  while (rank < n && kept < energy * total && values[rank] > 1e-10 * total) {
    const scale = 1 / Math.sqrt(values[rank]);
    const direction = new Float64Array(width);
    for (let r = 0; r < n; r++) {
      const u = vectors[rank * n + r] * scale;
      for (let j = 0; j < width; j++) direction[j] += u * rows[r * width + j];
    }
    basis.push(...direction);
    kept += values[rank];
    rank++;
  }
  return { layer: { ...layer }, basis: Float64Array.from(basis), rank, energy: total > 0 ? kept / total : 1 };
}

/**
 * The first-layer part of `update` that no combination of the clean inputs produces: U − QQᵀU, with U the
 * layer's weight rows (then its bias, if any) as an (inputs [+ 1]) × units block and Q the basis; flattened
 * row-major.
 */
export function offManifold(update: Float32Array, space: CleanInputSpace): Float32Array {
  const { layer, basis, rank } = space;
  const { weightOffset, inputs: p, units, biasOffset } = layer;
  const width = layerWidth(layer);
  const block = new Float32Array(width * units);
  block.set(update.subarray(weightOffset, weightOffset + p * units));
  if (biasOffset !== undefined) block.set(update.subarray(biasOffset, biasOffset + units), p * units);
  const coefficients = new Float64Array(units);
  for (let q = 0; q < rank; q++) {
    coefficients.fill(0);
    const row = q * width;
    for (let j = 0; j < width; j++) {
      const b = basis[row + j];
      for (let k = 0; k < units; k++) coefficients[k] += b * block[j * units + k];
    }
    for (let j = 0; j < width; j++) {
      const b = basis[row + j];
      for (let k = 0; k < units; k++) block[j * units + k] -= b * coefficients[k];
    }
  }
  return block;
}

/** Columns of the layer's input space: the inputs, plus the bias's constant 1 if it has a bias. */
function layerWidth(layer: FirstLayer): number {
  return layer.inputs + (layer.biasOffset === undefined ? 0 : 1);
}

/** Throws unless the layer fits in updates of length d (when given). */
export function checkLayer(layer: FirstLayer, d?: number): void {
  const { weightOffset, inputs, units, biasOffset } = layer;
  for (const [field, v, min] of [
    ['weightOffset', weightOffset, 0],
    ['inputs', inputs, 1],
    ['units', units, 1],
    ['biasOffset', biasOffset ?? 0, 0],
  ] as const) {
    if (!(Number.isInteger(v) && v >= min)) {
      throw new InputError(`the first layer's ${field} must be a whole number ≥ ${min}, got ${v}`, { field });
    }
  }
  if (d === undefined) return;
  const end = Math.max(weightOffset + inputs * units, biasOffset === undefined ? 0 : biasOffset + units);
  if (end > d) {
    throw new InputError(
      `the first layer (weight at ${weightOffset}, ${inputs} × ${units}${biasOffset === undefined ? '' : `, bias at ${biasOffset}`}) ends at ${end}, past the ${d} values of an update`,
      { field: 'firstLayer' },
    );
  }
}
