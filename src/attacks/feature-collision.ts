/**
 * Targeted clean-label poisoning by feature collision ("Poison Frogs!", Shafahi et al. 2018): each poison
 * starts from a correctly labelled sample of the base class and is optimised to sit next to one target input
 * in the feature space of a fixed extractor while staying close to its base image in input space:
 *
 *   x = argmin ‖f(x) − f(t)‖² + β ‖x − b‖²,
 *
 * by forward–backward splitting (the paper's Algorithm 1): a gradient step on the feature term, then the
 * closed-form proximal step of the β term, x ← (x̂ + λβ b) / (1 + λβ), then projection into the data's box.
 * A victim that retrains its last layer on the poisoned data (transfer learning) learns to put the target
 * into the base class; the poisons keep their true label, so label inspection finds nothing.
 */
import type { Dataset } from '../data/dataset.js';
import { Graph } from '../engine/autograd.js';
import { Network } from '../engine/network.js';
import { Rng } from '../engine/rng.js';
import { InputError } from '../errors.js';
import type { ModelSnapshot } from '../models/architecture.js';
import { resolveBudget } from './budget.js';
import { budgetParams, indicesOfClass, requireClass } from './checks.js';
import { type DatasetAttackResult, PoisonedDatasetBuilder, rowLength } from './dataset-truth.js';
import { featureBox } from './injection.js';
import type { Budget } from './types.js';

export interface FeatureCollisionOptions extends Budget {
  /** The fixed feature extractor: a trained model whose embedding layer is the feature space. */
  extractor: ModelSnapshot;
  /** The input the attacker wants classified as `baseClass` (one row, same features as the dataset). */
  target: Float32Array;
  baseClass: number;
  seed: number;
  /** Weight of staying close to the base image. Default 0.1 (relative to inputs scaled to [0, 1]). */
  beta?: number;
  /** Optimisation steps per poison. Default 200. */
  iterations?: number;
  /** Initial step size λ of the gradient step (adapted per poison). Default 0.01 (inputs scaled to [0, 1]). */
  learningRate?: number;
  /** Blend this fraction of the target into each base image first (the paper's watermarking). Default 0. */
  watermark?: number;
}

/** Injects `count` (or round(rate · n)) poisons labelled `baseClass`, crafted from distinct base samples. */
export function featureCollision(dataset: Dataset, opts: FeatureCollisionOptions): DatasetAttackResult {
  requireClass(dataset, opts.baseClass, 'baseClass');
  const d = rowLength(dataset);
  if (opts.target.length !== d) {
    throw new InputError(`the target has ${opts.target.length} features, the dataset ${d}`, {
      field: 'target',
    });
  }
  const bases = indicesOfClass(dataset.y, opts.baseClass);
  const k = resolveBudget(opts, dataset.y.length, bases.length, `samples of class ${opts.baseClass}`);
  const beta = opts.beta ?? 0.1;
  const iterations = opts.iterations ?? 200;
  const learningRate = opts.learningRate ?? 0.01;
  const watermark = opts.watermark ?? 0;
  if (!(watermark >= 0 && watermark < 1)) {
    throw new InputError(`watermark must be in [0, 1), got ${watermark}`, { field: 'watermark' });
  }
  const network = new Network(opts.extractor.architecture, opts.extractor.weights);
  for (const p of network.parameters) p.trainable = false;
  const layer = network.embeddingLayer;
  const targetFeatures = network.activations({ shape: [1, d], data: opts.target }, layer).data;

  // Work in a [0, 1] box per feature so β and λ mean the same for any input scale.
  const { low, high } = featureBox(dataset);
  const span = Float32Array.from(low, (lo, j) => Math.max(high[j] - lo, 1e-12));
  const chosen = Array.from(new Rng(opts.seed).sample(bases.length, k), (p) => bases[p]);
  const base = new Float32Array(k * d);
  chosen.forEach((i, s) => {
    for (let j = 0; j < d; j++) base[s * d + j] = (dataset.x.data[i * d + j] - low[j]) / span[j];
  });
  const start = base.map(
    (b, q) => (1 - watermark) * b + (watermark * (opts.target[q % d] - low[q % d])) / span[q % d],
  );
  const evaluate = featureGradient(network, layer, targetFeatures, low, span, k, d);

  // Each poison is its own problem with its own step: a step that raises its objective is undone and the
  // step halved; an accepted one grows the step by 10 %. The paper uses a fixed step, which diverges or
  // crawls depending on the extractor's scale.
  const x = start.slice();
  const gradient = new Float32Array(k * d);
  const objective = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
  const distance = new Float64Array(k);
  const step = new Float64Array(k).fill(learningRate);
  let candidate = start;
  let initialDistance: Float64Array = distance;
  for (let it = 0; it <= iterations; it++) {
    const evaluated = evaluate(candidate);
    if (it === 0) initialDistance = evaluated.distances;
    for (let s = 0; s < k; s++) {
      let proximity = 0;
      for (let j = 0; j < d; j++) proximity += (candidate[s * d + j] - base[s * d + j]) ** 2;
      const value = evaluated.distances[s] + beta * proximity;
      if (value <= objective[s]) {
        objective[s] = value;
        distance[s] = evaluated.distances[s];
        x.set(candidate.subarray(s * d, (s + 1) * d), s * d);
        gradient.set(evaluated.gradient.subarray(s * d, (s + 1) * d), s * d);
        step[s] *= 1.1;
      } else {
        step[s] /= 2;
      }
    }
    if (it === iterations) break;
    candidate = x.map((v, q) => {
      const lambda = step[Math.floor(q / d)];
      const forward = v - lambda * gradient[q];
      return Math.min(1, Math.max(0, (forward + lambda * beta * base[q]) / (1 + lambda * beta)));
    });
  }

  const builder = new PoisonedDatasetBuilder(dataset);
  for (let s = 0; s < k; s++) {
    builder.inject(
      Float32Array.from({ length: d }, (_, j) => low[j] + x[s * d + j] * span[j]),
      opts.baseClass,
    );
  }
  const built = builder.build({
    family: 'injection',
    attack: 'feature-collision',
    seed: opts.seed,
    params: {
      ...budgetParams(opts),
      baseClass: opts.baseClass,
      bases: chosen,
      target: Array.from(opts.target),
      beta,
      iterations,
      learningRate,
      watermark,
    },
  });
  return {
    ...built,
    info: { initialFeatureDistance: mean(initialDistance), finalFeatureDistance: mean(distance) },
  };
}

/**
 * For poisons x in the [0, 1]-scaled box: each one's squared feature distance to the target and its gradient
 * with respect to x (through the extractor, whose parameters are frozen).
 */
function featureGradient(
  network: Network,
  layer: number,
  targetFeatures: Float32Array,
  low: Float32Array,
  span: Float32Array,
  k: number,
  d: number,
): (x: Float32Array) => { distances: Float64Array; gradient: Float32Array } {
  const graph = new Graph();
  const raw = new Float32Array(k * d);
  return (x) => {
    for (let q = 0; q < raw.length; q++) raw[q] = low[q % d] + x[q] * span[q % d];
    graph.reset();
    const input = graph.variable({ shape: [k, d], data: raw });
    const features = network.apply(graph, input, layer).at(-1)!;
    const width = features.size / k;
    const seed = new Float32Array(features.size);
    const distances = new Float64Array(k);
    for (let q = 0; q < features.size; q++) {
      const diff = features.data[q] - targetFeatures[q % width];
      seed[q] = 2 * diff;
      distances[Math.floor(q / width)] += diff * diff;
    }
    graph.backward(features, { seed });
    const gradient = Float32Array.from(graph.gradOf(input), (g, q) => g * span[q % d]);
    return { distances, gradient };
  };
}

function mean(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}
