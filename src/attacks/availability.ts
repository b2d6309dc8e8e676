/**
 * Availability poisoning of a softmax regression: injected points crafted by projected gradient ascent to
 * maximise the loss on the attacker's validation data of the model trained with them, in the spirit of Biggio
 * et al. 2012 (poisoning SVMs) and the influence attack of Koh, Steinhardt & Liang 2018.
 *
 * Each iteration fits the surrogate — a softmax regression on the raw features, trained from scratch as the
 * victim would be — on clean + poison data, solves (H + λI) v = ∇_θ L_val, and moves every poison x_p along
 * −∇ₓ vᵀ∇_θ ℓ(x_p, y_p) — the implicit-function gradient of the validation loss with respect to the poison —
 * by an L∞-normalised step, then projects it back into the data's box. Poisons start as copies of random
 * training samples with a random other label and keep that label.
 *
 * The surrogate does not standardise its inputs: a victim that standardises with statistics that include
 * the poisons sees them differently, and the attack transfers to it only weakly (on the bundled digits it then costs about as much accuracy as mislabelled duplicates).
 */
import type { Dataset } from '../data/dataset.js';
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';
import { createClassifier } from '../models/classifier.js';
import { resolveBudget } from './budget.js';
import { budgetParams, requireClasses } from './checks.js';
import { type DatasetAttackResult, PoisonedDatasetBuilder, rowLength } from './dataset-truth.js';
import { featureBox } from './injection.js';
import {
  conjugateGradient,
  hessianVectorProduct,
  type LinearSoftmax,
  linearSoftmaxOf,
  lossAndGradient,
  mixedGradient,
  probabilities,
  standardize,
} from './softmax-influence.js';
import type { Budget } from './types.js';

/**
 * Truncated conjugate gradients: the poisons only need a good ascent direction, and 10–30 steps moved them
 * as well as 100 on the bundled digits at a fraction of the cost (raw pixel features make H ill-conditioned).
 */
const CG_ITERATIONS = 20;

export interface AvailabilityOptions extends Budget {
  /** Held-out data whose loss the poisons raise (the attacker's own validation set). */
  validation: Dataset;
  seed: number;
  /** Gradient steps; the surrogate is refitted before each. Default 10. */
  iterations?: number;
  /** Step of each iteration as a fraction of every feature's range. Default 0.2. */
  stepSize?: number;
  /** Epochs and learning rate (Adam) of each fit of the surrogate. Defaults 30 and 0.01. */
  epochs?: number;
  learningRate?: number;
  /** L2 damping λ added to the Hessian, which is singular for separable data. Default 0.01. */
  damping?: number;
}

export function availabilityPoisoning(dataset: Dataset, opts: AvailabilityOptions): DatasetAttackResult {
  requireClasses(dataset, 2);
  const d = rowLength(dataset);
  if (rowLength(opts.validation) !== d || opts.validation.numClasses !== dataset.numClasses) {
    throw new InputError('the validation set must have the same features and classes as the training set', {
      field: 'validation',
    });
  }
  const n = dataset.y.length;
  const k = resolveBudget(opts, n, Number.MAX_SAFE_INTEGER, 'samples');
  const iterations = opts.iterations ?? 10;
  const stepSize = opts.stepSize ?? 0.2;
  const damping = opts.damping ?? 0.01;
  const fit = { learningRate: opts.learningRate ?? 0.01, seed: opts.seed };
  const rng = new Rng(opts.seed);
  const box = featureBox(dataset);
  const K = dataset.numClasses;

  const poisonX = new Float32Array(k * d);
  const poisonY = new Int32Array(k);
  for (let s = 0; s < k; s++) {
    const i = rng.int(n);
    poisonX.set(dataset.x.data.subarray(i * d, (i + 1) * d), s * d);
    poisonY[s] = (dataset.y[i] + 1 + rng.int(K - 1)) % K;
  }
  const combined = (): Dataset => ({
    ...dataset,
    x: { shape: [n + k, d], data: concat(dataset.x.data, poisonX) },
    y: Int32Array.from([...dataset.y, ...poisonY]),
  });

  const epochs = opts.epochs ?? 30;
  const fitSurrogate = () => {
    const model = createClassifier('softmax');
    model.fit(combined(), { ...fit, epochs, standardize: 'none' });
    return model;
  };
  let surrogate = fitSurrogate();
  const validationLoss: number[] = [];
  for (let it = 0; it < iterations && k > 0; it++) {
    const model = linearSoftmaxOf(surrogate.toSnapshot());
    const { loss, v } = influenceDirection(model, combined(), opts.validation, damping);
    validationLoss.push(loss);
    const z = standardize(model, poisonX);
    const p = probabilities(model, z);
    for (let s = 0; s < k; s++) {
      const g = mixedGradient(
        model,
        z.subarray(s * d, (s + 1) * d),
        p.subarray(s * K, (s + 1) * K),
        poisonY[s],
        v,
      );
      let scale = 0;
      for (const gj of g) scale = Math.max(scale, Math.abs(gj));
      if (scale === 0) continue;
      for (let j = 0; j < d; j++) {
        // Ascent on L_val means descent on vᵀ∇θℓ (dL_val/dx_p = −(1/N) ∇ₓ vᵀ∇θℓ).
        const moved = poisonX[s * d + j] - (stepSize * (box.high[j] - box.low[j]) * g[j]) / scale;
        poisonX[s * d + j] = Math.min(box.high[j], Math.max(box.low[j], moved));
      }
    }
    surrogate = fitSurrogate();
  }
  validationLoss.push(validationLossOf(linearSoftmaxOf(surrogate.toSnapshot()), opts.validation));

  const builder = new PoisonedDatasetBuilder(dataset);
  for (let s = 0; s < k; s++) builder.inject(poisonX.subarray(s * d, (s + 1) * d), poisonY[s]);
  const built = builder.build({
    family: 'injection',
    attack: 'availability',
    seed: opts.seed,
    params: { ...budgetParams(opts), iterations, stepSize, damping },
  });
  return { ...built, info: { validationLoss } };
}

/** The validation loss and v = (H + λI)⁻¹ ∇_θ L_val at the surrogate's current weights. */
function influenceDirection(
  model: LinearSoftmax,
  train: Dataset,
  validation: Dataset,
  damping: number,
): { loss: number; v: Float64Array } {
  const zTrain = standardize(model, train.x.data);
  const pTrain = probabilities(model, zTrain);
  const zVal = standardize(model, validation.x.data);
  const { loss, gradient } = lossAndGradient(model, zVal, probabilities(model, zVal), validation.y);
  const v = conjugateGradient((u) => hessianVectorProduct(model, zTrain, pTrain, u, damping), gradient, {
    iterations: CG_ITERATIONS,
  });
  return { loss, v };
}

function validationLossOf(model: LinearSoftmax, validation: Dataset): number {
  const z = standardize(model, validation.x.data);
  return lossAndGradient(model, z, probabilities(model, z), validation.y).loss;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
